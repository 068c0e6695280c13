/**
 * What the driver's target table holds: one entry per code generator. A
 * target says up front which nodes of an optimized graph it cannot compile
 * (so a build is refused naming the op before anything is compiled), and
 * compiles a graph with the memory plan the driver made once for the build.
 */
import type { Graph } from '../../compiler/ir/graph.js';
import type { MemoryPlan } from '../../compiler/plan/index.js';
import type { PhaseTimer } from './phase_timer.js';
import type { UnsupportedNode } from './support.js';

export interface Target<Artifacts> {
  /** As `--target` spells it: 'wasm', 'webgpu'. */
  name: string;
  /** What a progress line says while it compiles. */
  stage: string;
  /** The nodes it cannot compile, each with a sentence naming the op; empty when the graph compiles. */
  unsupported(graph: Graph): UnsupportedNode[];
  /**
   * Compiles `graph`, whose memory plan is `plan` (`planMemory(graph)`); throws an UnsupportedOpError for a node it cannot compile.
   * `timer` times its steps for `tfc build --timings` (default: untimed).
   */
  compile(graph: Graph, plan: MemoryPlan, timer?: PhaseTimer): Artifacts;
}
