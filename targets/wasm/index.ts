/**
 * The wasm target: `compileWasm(graph)` turns an optimized graph into one
 * SIMD128 module plus its weights and memory layout. The runtime contract:
 * copy `weights` to `weightsOffset` once; before each call make the memory at
 * least `arenaOffset + arenaBytes(N)` bytes (64 KiB pages), write the inputs
 * at `offset(N)`, call `run(N)`, read the outputs at their `offset(N)`.
 * Graphs with ops this target does not cover yet fail with one
 * WasmUnsupportedError naming the op; `wasmSupports` lists them up front.
 */
import type { Graph, Value } from '../../compiler/ir/graph.js';
import type { DType } from '../../compiler/ir/types.js';
import type { MemoryPlan } from '../../compiler/plan/index.js';
import type { Affine } from '../../runtime/affine.js';
import type { PhaseTimer } from '../common/phase_timer.js';
import { unsupportedOps } from '../common/support.js';
import type { Target } from '../common/target.js';
import { WASM_KERNELS } from './kernels/index.js';
import { assembleModule, unsupportedNodes, WasmUnsupportedError, WEIGHTS_OFFSET, type ModuleVariant } from './module.js';

export { WasmUnsupportedError } from './module.js';
export type { Affine } from '../../runtime/affine.js';

export interface WasmArtifact {
  /** The module: exports `memory` and `run(batch: i32)`; no imports. */
  wasm: Uint8Array<ArrayBuffer>;
  /** The weights region as the module expects it (pre-packed), copied to `weightsOffset`. */
  weights: Uint8Array;
  layout: WasmLayout;
  /** The optimized module in WebAssembly text form, when asked for (`{ text: true }`). */
  text?: string;
}

export interface WasmTensorSlot {
  name: string;
  dtype: 'f32' | 'i32';
  shape: (number | 'N')[];
  /** Absolute byte address in linear memory. */
  offset: Affine;
}

export interface WasmLayout {
  /** Where `weights` go in linear memory (16-byte aligned at least). */
  weightsOffset: number;
  /** Start of the activation arena, 256-aligned, after the weights. */
  arenaOffset: number;
  /** Arena size for batch N. */
  arenaBytes: Affine;
  inputs: WasmTensorSlot[];
  outputs: WasmTensorSlot[];
}

/** The unsupported ops of `graph` (each once, in graph order); empty when it compiles. */
export function wasmSupports(graph: Graph): string[] {
  return unsupportedOps(graph, WASM_KERNELS);
}

function slotDtype(v: Value, what: string): 'f32' | 'i32' {
  const d: DType = v.type.dtype;
  if (d === 'bool') throw new WasmUnsupportedError(`the wasm target does not support bool model ${what}s yet ('${v.name ?? v.id}')`, 'bool');
  return d;
}

export interface CompileWasmOptions {
  /** Also return the module's text form. */
  text?: boolean;
  /**
   * Build the relaxed-SIMD variant: GEMM inner products use f32x4.relaxed_madd
   * (fused where the CPU has it); everything else, layout and weights included, is unchanged.
   */
  relaxed?: boolean;
  /** The graph's memory plan, when the caller already made it (default: planned here). */
  plan?: MemoryPlan;
  /** Times the compile's steps (default: untimed). */
  timer?: PhaseTimer;
}

/** The SIMD128 module and its relaxed-SIMD twin: same layout and weights, different GEMM functions. */
export interface WasmTwins {
  wasm: WasmArtifact;
  relaxed: WasmArtifact;
}

/** Compiles an optimized graph into both variants, generating and optimizing the module once. */
export function compileWasmTwins(graph: Graph, options: Omit<CompileWasmOptions, 'relaxed'> = {}): WasmTwins {
  // Checked before compiling, so a bool model fails fast.
  graph.inputs.forEach((v) => slotDtype(v, 'input'));
  graph.outputs.forEach((o) => slotDtype(o.value, 'output'));
  const assembled = assembleModule(graph, { text: options.text ?? false, plan: options.plan, timer: options.timer });
  const slot = (name: string, v: Value, what: string): WasmTensorSlot => ({
    name,
    dtype: slotDtype(v, what),
    shape: [...v.type.shape],
    offset: assembled.locate(v),
  });
  const layout = (): WasmLayout => ({
    weightsOffset: WEIGHTS_OFFSET,
    arenaOffset: assembled.arenaOffset,
    arenaBytes: assembled.arena,
    inputs: graph.inputs.map((v) => slot(v.name ?? `input${v.id}`, v, 'input')),
    outputs: graph.outputs.map((o) => slot(o.name, o.value, 'output')),
  });
  const artifact = (variant: ModuleVariant): WasmArtifact => ({
    wasm: variant.wasm,
    weights: assembled.weights,
    ...(variant.text !== undefined ? { text: variant.text } : {}),
    layout: layout(),
  });
  return { wasm: artifact(assembled.plain), relaxed: artifact(assembled.relaxed) };
}

/** Compiles an optimized graph: the plain SIMD128 module, or with `relaxed` its relaxed-SIMD twin. */
export function compileWasm(graph: Graph, options: CompileWasmOptions = {}): WasmArtifact {
  const twins = compileWasmTwins(graph, options);
  return options.relaxed === true ? twins.relaxed : twins.wasm;
}

/** The wasm target for the driver: the SIMD128 module and its relaxed-SIMD twin (same layout and weights). */
export const WASM_TARGET: Target<WasmTwins> = {
  name: 'wasm',
  stage: 'compiling to WebAssembly',
  unsupported: unsupportedNodes,
  compile: (graph, plan, timer) => compileWasmTwins(graph, { plan, timer }),
};
