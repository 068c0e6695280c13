/**
 * Assembles the whole-model module: one function per kernel node, one
 * exported `run(batch)` that calls them in graph order with addresses from
 * the memory plan, and the linear-memory layout
 *
 *   [0, WEIGHTS_OFFSET)   unused (address 0 stays invalid)
 *   weights               raw and pre-packed weights, 16-byte aligned entries
 *   scratch               one buffer shared by kernels that stage data (static size)
 *   arena                 the memory plan's arena, 256-aligned, size affine in N
 *   extension             one buffer after the arena shared by kernels (scan bodies), size affine in N
 *
 * `const` results live in the weights; views share their operand's bytes
 * (the plan aliases them), except a view of a weight, which is copied into
 * its own arena buffer.
 *
 * One generation and one binaryen optimization give both variants: the module
 * is built with relaxed-SIMD GEMM inner products, emitted, then lowered to
 * its plain-SIMD twin (plain_twin.ts), which differs only in the GEMM functions.
 */
import { graphFacts } from '../../compiler/ir/constants.js';
import type { Graph, Node, Value } from '../../compiler/ir/graph.js';
import { getOp } from '../../compiler/ir/op.js';
import { addAffine, alignAffine, alignUp, maxAffine, staticAffine } from '../../compiler/plan/affine.js';
import { checkPlanFits, evalAffine, planMemory, type Affine, type MemoryPlan } from '../../compiler/plan/index.js';
import { WASM_MEMORY_LIMIT_BYTES, WASM_PAGE_BYTES } from '../../compiler/limits.js';
import { UNTIMED, type PhaseTimer } from '../common/phase_timer.js';
import { requireKernel, UnsupportedOpError, unsupportedNodes as unsupportedNodesOf, type UnsupportedNode } from '../common/support.js';
import { weightEntry } from '../common/weight_blob.js';
import { binaryen, createModule, emitBytes, optimizeModule, type Expr, type Module } from './binaryen.js';
import { emitKernelFunction } from './kernel_function.js';
import type { GraphFacts } from './kernels/context.js';
import { WASM_KERNELS } from './kernels/index.js';
import { lowerRelaxedMadd } from './plain_twin.js';
import { WeightsBuilder } from './weights.js';

export const WEIGHTS_OFFSET = 256;
/** The immutable global holding the scratch region's address (set once the weights are laid out). */
const SCRATCH_GLOBAL = 'scratch';
/** The mutable global holding the extension's address; `run` sets it from the batch. */
const EXTENSION_GLOBAL = 'extension';
const MAX_PAGES = 65536;

/** A node the wasm target cannot compile yet. */
export class WasmUnsupportedError extends UnsupportedOpError {
  override readonly name = 'WasmUnsupportedError';
}

/** Where a value's bytes are: an absolute address affine in the batch. */
export type Location = Affine;

/** One variant of the module: its binary, and its text form when asked for. */
export interface ModuleVariant {
  wasm: Uint8Array<ArrayBuffer>;
  text?: string;
}

export interface AssembledModule {
  /** GEMM inner products as f32x4.relaxed_madd (needs an engine with relaxed SIMD). */
  relaxed: ModuleVariant;
  /** The same module with exact f32x4.mul + f32x4.add: byte-identical outside the GEMM functions. */
  plain: ModuleVariant;
  weights: Uint8Array;
  arenaOffset: number;
  arena: Affine;
  locate(v: Value): Location;
}

/** Every node that becomes a kernel and has none, with why. */
export function unsupportedNodes(graph: Graph): UnsupportedNode[] {
  return unsupportedNodesOf(graph, WASM_KERNELS);
}

/** `a` for the batch `batch()` as an i32 expression. */
function affineExpr(m: Module, a: Affine, batch: () => Expr): Expr {
  if (a.perBatch === 0) return m.i32.const(a.base);
  return m.i32.add(m.i32.const(a.base), m.i32.mul(batch(), m.i32.const(a.perBatch)));
}

class Assembler {
  readonly module: Module;
  readonly weights = new WeightsBuilder(WEIGHTS_OFFSET);
  private readonly plan: MemoryPlan;
  private readonly producers: Map<number, Node>;
  private readonly facts: GraphFacts;
  private arenaOffset = -1;
  private scratchBytes = 0;
  private extension: Affine = staticAffine(0);
  /** The arena and the extension after it, affine in the batch (known once generated). */
  private total: Affine = staticAffine(0);

  constructor(
    private readonly graph: Graph,
    plan: MemoryPlan,
  ) {
    this.module = createModule({ relaxedSimd: true });
    // memory.copy (views of weights) needs binaryen's bulk-memory-opt feature too.
    this.module.setFeatures(this.module.getFeatures() | binaryen.Features.BulkMemoryOpt);
    // Kernels need the memory to exist; its initial size is set once the layout is known.
    this.module.setMemory(1, MAX_PAGES, 'memory');
    this.plan = plan;
    checkPlanFits(graph, this.plan, 'wasm', WASM_MEMORY_LIMIT_BYTES);
    this.producers = graph.producers();
    this.facts = graphFacts(graph);
  }

  /** A weight's address, placing it on first use. */
  private weightAddress(node: Node): number {
    const weight = weightEntry(this.graph, node);
    return this.weights.place(weight.key, weight.bytes);
  }

  locate(v: Value): Location {
    const producer = this.producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) return staticAffine(this.weightAddress(producer));
    const entry = this.plan.values.get(v.id);
    if (!entry) throw new Error(`value %${v.id} has no place in the memory plan`);
    if (this.arenaOffset < 0) throw new Error('arena addresses are asked for before the weights are laid out');
    return { base: this.arenaOffset + entry.offset.base, perBatch: entry.offset.perBatch };
  }

  private address(v: Value, batch: () => Expr): Expr {
    return affineExpr(this.module, this.locate(v), batch);
  }

  /** Emits node i's kernel function; returns the call `run` makes, once addresses are known. */
  private emitKernel(node: Node, index: number): (batch: () => Expr) => Expr {
    const emitter = requireKernel(WASM_KERNELS, node, index, this.facts, WasmUnsupportedError);
    const m = this.module;
    const kernel = emitKernelFunction(
      {
        ...this.facts,
        module: m,
        weights: this.weights,
        relaxedSimd: true,
        scratch: (bytes) => {
          this.scratchBytes = Math.max(this.scratchBytes, bytes);
          return () => m.global.get(SCRATCH_GLOBAL, binaryen.i32);
        },
        extension: (size) => {
          this.extension = maxAffine(this.extension, alignAffine(size));
          return () => m.global.get(EXTENSION_GLOBAL, binaryen.i32);
        },
      },
      node,
      emitter,
      `k${index}`,
    );
    // Weights a kernel never reads (a GEMM's B, packed instead) are not laid out.
    for (const i of kernel.read) this.locateWeightOperand(node.inputs[i]);
    return (batch) => kernel.call((v) => this.address(v, batch), batch);
  }

  private locateWeightOperand(v: Value): void {
    const producer = this.producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) this.weightAddress(producer);
  }

  /** A view the plan did not alias (a view of a weight): copy its operand's bytes. */
  private emitViewCopy(node: Node): ((batch: () => Expr) => Expr) | undefined {
    const entry = this.plan.values.get(node.outputs[0].id);
    if (!entry || entry.aliasOf !== undefined) return undefined;
    this.locateWeightOperand(node.inputs[0]);
    const m = this.module;
    return (batch) => {
      return m.memory.copy(this.address(node.outputs[0], batch), this.address(node.inputs[0], batch), affineExpr(m, entry.size, batch));
    };
  }

  assemble(optimize: boolean, withText: boolean, timer: PhaseTimer): AssembledModule {
    timer.time('generate kernels', () => this.generate());
    const m = this.module;
    if (optimize) timer.time('binaryen optimize', () => optimizeModule(m));
    const variant = (): ModuleVariant => ({ wasm: emitBytes(m), ...(withText ? { text: m.emitText() } : {}) });
    const relaxed = timer.time('emit', variant);
    const plain = timer.time('plain twin', () => {
      lowerRelaxedMadd(m);
      return variant();
    });
    return {
      relaxed,
      plain,
      weights: this.weights.bytes(),
      arenaOffset: this.arenaOffset,
      arena: this.total,
      locate: (v) => this.locate(v),
    };
  }

  /** Adds every kernel function and `run`, and sizes the memory; leaves the module unoptimized. */
  private generate(): void {
    const m = this.module;
    const calls: ((batch: () => Expr) => Expr)[] = [];
    this.graph.nodes.forEach((node, i) => {
      const def = getOp(node.op);
      if (def.readsWeight) return;
      const call = def.view ? this.emitViewCopy(node) : this.emitKernel(node, i);
      if (call) calls.push(call);
    });
    // Weights used as graph outputs are laid out too.
    for (const o of this.graph.outputs) this.locateWeightOperand(o.value);
    const scratchOffset = alignUp(WEIGHTS_OFFSET + this.weights.byteLength);
    if (this.scratchBytes > 0) m.addGlobal(SCRATCH_GLOBAL, binaryen.i32, false, m.i32.const(scratchOffset));
    this.arenaOffset = alignUp(scratchOffset + this.scratchBytes);
    const batch = (): Expr => m.local.get(0, binaryen.i32);
    const body = calls.map((c) => c(batch));
    const arena = this.plan.arena;
    if (this.extension.base > 0 || this.extension.perBatch > 0) {
      m.addGlobal(EXTENSION_GLOBAL, binaryen.i32, true, m.i32.const(0));
      const start = m.i32.add(m.i32.const(this.arenaOffset + arena.base), m.i32.mul(batch(), m.i32.const(arena.perBatch)));
      body.unshift(m.global.set(EXTENSION_GLOBAL, start));
    }
    const total = addAffine(arena, this.extension);
    this.total = total;
    m.addFunction('run', binaryen.createType([binaryen.i32]), binaryen.none, [], m.block(null, body));
    m.addFunctionExport('run', 'run');
    const initialBytes = this.arenaOffset + evalAffine(total, 1);
    checkPlanFits(this.graph, { ...this.plan, arena: total }, 'wasm', WASM_MEMORY_LIMIT_BYTES, this.arenaOffset);
    m.removeExport('memory');
    m.setMemory(Math.max(1, Math.ceil(initialBytes / WASM_PAGE_BYTES)), MAX_PAGES, 'memory');
    if (!m.validate()) throw new Error('wasm target: the emitted module failed validation');
  }

  dispose(): void {
    this.module.dispose();
  }
}

export interface AssembleOptions {
  /** Run binaryen's optimizer (default true). */
  optimize?: boolean;
  /** Also give each variant's text form. */
  text?: boolean;
  /** The graph's memory plan when the caller already has it (default: planned here). */
  plan?: MemoryPlan;
  /** Times generation, optimization, emission and the plain twin (default: untimed). */
  timer?: PhaseTimer;
}

/**
 * Compiles an optimized graph into the module and its plain-SIMD twin (same
 * layout and weights); throws WasmUnsupportedError for the first node it cannot compile.
 */
export function assembleModule(graph: Graph, options: AssembleOptions = {}): AssembledModule {
  const assembler = new Assembler(graph, options.plan ?? planMemory(graph));
  try {
    return assembler.assemble(options.optimize ?? true, options.text ?? false, options.timer ?? UNTIMED);
  } finally {
    assembler.dispose();
  }
}
