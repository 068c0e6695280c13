/**
 * What one kernel family file contributes to the support table: emitters by
 * op name, and emitters for `fused` epilogue kernels by their anchor op.
 */
import type { GpuKernelEmitter } from './context.js';

export interface KernelFamily {
  kernels: Readonly<Record<string, GpuKernelEmitter>>;
  epilogues?: Readonly<Record<string, GpuKernelEmitter>>;
  /** The emitter of `fused` elementwise kernels (one family provides it). */
  fusedElementwise?: GpuKernelEmitter;
}
