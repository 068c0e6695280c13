/**
 * What a WebGPU kernel emitter sees and returns. Each non-view node of the
 * planned graph becomes one or more dispatches (a WGSL compute shader, the
 * byte ranges it binds and its workgroup grid); the target lists them in
 * graph order and the runtime records them, in that order, into one command
 * buffer per prediction. An emitter says first whether it can compile a node
 * (`unsupported`), and the target never changes what a node computes.
 *
 * Every byte range is affine in the batch N, like the memory plan, so one
 * dispatch list serves every batch size. Shaders read N as `P.n` and, in the
 * steps of a recurrent loop, the step index as `P.t` (see ../wgsl.ts).
 */
import type { Node, Value } from '../../../compiler/ir/graph.js';
import type { GraphFacts } from '../../../compiler/ir/constants.js';
import type { Affine } from '../../../compiler/plan/index.js';
import type { KernelEmitter } from '../../common/kernel_registry.js';

export type { GraphFacts } from '../../../compiler/ir/constants.js';

/**
 * A byte range of one GPU buffer: the activation arena (read-write) or the
 * weights (read-only; the target splits them into pages that each fit one binding).
 */
export interface Region {
  space: 'arena' | 'weights';
  /** Byte offset, a multiple of 256 for every N. */
  offset: Affine;
  /** Byte size (not rounded up). */
  size: Affine;
}

/**
 * The storage element a binding is declared with: f32 and i32 tensors are
 * arrays of their type; bool tensors are bytes, four to a u32 word (bit 8*(i%4) of word i/4).
 */
export type Element = 'f32' | 'i32' | 'u32';

export interface GpuBinding {
  /** The WGSL identifier the shader body uses for this array. */
  name: string;
  element: Element;
  region: Region;
}

/**
 * Workgroups along one grid axis: ceil((base + perBatch * N) / per). A
 * one-axis grid may exceed 65535 workgroups: the runtime folds it into x and y
 * and the shader's `wg` is the linear workgroup index either way.
 */
export interface GridDim {
  base: number;
  perBatch: number;
  per: number;
}

/** A compute shader without its bindings: ../wgsl.ts assembles the module. */
export interface KernelShader {
  /** Workgroup size along x, y, z (x*y*z <= 256). */
  workgroupSize: [number] | [number, number] | [number, number, number];
  /** Module-scope declarations: consts, `var<workgroup>` arrays, helper functions. */
  declarations?: string[];
  /** The statements of `main` (see ../wgsl.ts for the names in scope). */
  body: string;
}

export interface GpuDispatch {
  /** For humans and error messages: e.g. 'k12 fused(conv2d+add+relu)'. */
  label: string;
  /** Bound in order as @binding(1), @binding(2), ...; @binding(0) is the uniform P. */
  bindings: GpuBinding[];
  shader: KernelShader;
  /** One to three axes. */
  grid: GridDim[];
  /** The recurrent step this dispatch runs (`P.t`); 0 outside loops. */
  step?: number;
}

export interface GpuEmitContext extends GraphFacts {
  node: Node;
  /** A label for this node's dispatches, e.g. 'k12 fused'; add what each dispatch does. */
  label: string;
  /** Where a value's bytes are: for the node's operands and results, or (for loops) any value being compiled. */
  region(v: Value): Region;
  /** A binding of operand i, read by the shader under `name`. */
  operand(i: number, name: string): GpuBinding;
  /** A binding of result k, written by the shader under `name`. */
  result(k: number, name: string): GpuBinding;
  /**
   * Scratch arena bytes that live only during this node's dispatches (staged
   * data between two dispatches, a loop body's own memory plan). Each call
   * returns a new range after the previous ones of this node.
   */
  temp(size: Affine): Region;
  /** The weights region of a `const` node's weight (of this graph or a body sharing its weight table). */
  weight(constNode: Node): Region;
  /**
   * A derived constant (a re-laid-out weight), stored in the weights once per
   * `key` and made by `bytes()` the first time it is asked for.
   */
  constantBytes(key: string, bytes: () => Uint8Array): Region;
  /**
   * Compiles another node with this target's kernel table, locating its values
   * with `locate` (a loop body's node over the body's own memory plan) and
   * `facts` about its graph (default: this graph's); its scratch comes after
   * this node's temps.
   */
  emitNested(node: Node, locate: (v: Value) => Region, facts?: GraphFacts): GpuDispatch[];
}

/** A WebGPU kernel emitter: `emit` returns the node's dispatches. */
export type GpuKernelEmitter = KernelEmitter<GpuEmitContext, GpuDispatch[]>;
