/**
 * What a kernel emitter sees. Each non-view node of the graph becomes one
 * WASM function `(operand addresses..., result addresses..., batch) -> ()`;
 * `run` computes the addresses from the memory plan and calls them in order.
 * An emitter says first whether it can compile a node (`unsupported`), and
 * the target never changes what a node computes.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import type { GraphFacts } from '../../../compiler/ir/constants.js';
import type { Affine } from '../../../compiler/plan/index.js';
import type { KernelEmitter as TargetKernelEmitter } from '../../common/kernel_registry.js';
import type { Expr, Module } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';
import type { WeightsBuilder } from '../weights.js';

export type { GraphFacts } from '../../../compiler/ir/constants.js';

export interface EmitContext extends GraphFacts {
  module: Module;
  node: Node;
  fn: FunctionBuilder;
  weights: WeightsBuilder;
  /** The address of operand i (marks the operand as read: unread weights are not laid out). */
  operand(i: number): Getter;
  result(k: number): Getter;
  batch: Getter;
  /** Whether GEMM inner products use f32x4.relaxed_madd (the module enables relaxed SIMD then). */
  relaxedSimd: boolean;
  /** A prefix for helper functions and globals this kernel adds to the module. */
  prefix: string;
  /**
   * The address of a scratch buffer of `bytes` bytes (a build-time size), for
   * data a kernel stages between its steps (im2col rows). All kernels share one
   * region between the weights and the arena, sized for the largest request.
   */
  scratch(bytes: number): Getter;
  /**
   * The address of a buffer of `size` bytes for batch N (affine), placed after
   * the arena so its offset stays affine in N: for values that scale with the
   * batch and live only during this kernel's call (a scan body's own memory
   * plan). Kernels share it, sized for the largest request.
   */
  extension(size: Affine): Getter;
}

/** A wasm kernel emitter: `emit` returns the function body. */
export type KernelEmitter = TargetKernelEmitter<EmitContext, Expr>;
