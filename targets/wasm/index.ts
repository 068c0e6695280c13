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
import { assembleModule, unsupportedNodes, WasmUnsupportedError, WEIGHTS_OFFSET } from './module.js';

export { WasmUnsupportedError } from './module.js';

export interface WasmArtifact {
  /** The module: exports `memory` and `run(batch: i32)`; no imports. */
  wasm: Uint8Array<ArrayBuffer>;
  /** The weights region as the module expects it (pre-packed), copied to `weightsOffset`. */
  weights: Uint8Array;
  layout: WasmLayout;
  /** The optimized module in WebAssembly text form, when asked for (`{ text: true }`). */
  text?: string;
}

/** bytes = base + perBatch * N */
export interface Affine {
  base: number;
  perBatch: number;
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
  return [...new Set(unsupportedNodes(graph).map((u) => u.op))];
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
}

/** Compiles an optimized graph (plans its memory itself). */
export function compileWasm(graph: Graph, options: CompileWasmOptions = {}): WasmArtifact {
  // Checked before compiling, so a bool model fails fast.
  graph.inputs.forEach((v) => slotDtype(v, 'input'));
  graph.outputs.forEach((o) => slotDtype(o.value, 'output'));
  const assembled = assembleModule(graph, { text: options.text ?? false, relaxed: options.relaxed ?? false });
  const slot = (name: string, v: Value, what: string): WasmTensorSlot => ({
    name,
    dtype: slotDtype(v, what),
    shape: [...v.type.shape],
    offset: assembled.locate(v),
  });
  return {
    wasm: assembled.wasm,
    weights: assembled.weights,
    ...(assembled.text !== undefined ? { text: assembled.text } : {}),
    layout: {
      weightsOffset: WEIGHTS_OFFSET,
      arenaOffset: assembled.arenaOffset,
      arenaBytes: assembled.arena,
      inputs: graph.inputs.map((v) => slot(v.name ?? `input${v.id}`, v, 'input')),
      outputs: graph.outputs.map((o) => slot(o.name, o.value, 'output')),
    },
  };
}
