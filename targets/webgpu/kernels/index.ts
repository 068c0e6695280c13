/**
 * The WebGPU target's support table, declared as data: op name -> kernel
 * emitter, and the emitters of `fused` kernels by their form, gathered from
 * the family files (see ../../common/kernel_registry.ts for how a node finds
 * its emitter).
 */
import { kernelRegistry } from '../../common/kernel_registry.js';
import type { GpuDispatch, GpuEmitContext } from './context.js';
import type { KernelFamily } from './family.js';
import { ELEMENTWISE_FAMILY } from './elementwise.js';
import { MOVEMENT_FAMILY } from './movement.js';
import { MATMUL_FAMILY } from './matmul.js';
import { WINDOW_FAMILY } from './window.js';
import { REDUCTION_FAMILY } from './reduction.js';
import { scanKernel } from './scan.js';

const FAMILIES: readonly KernelFamily[] = [ELEMENTWISE_FAMILY, MOVEMENT_FAMILY, MATMUL_FAMILY, WINDOW_FAMILY, REDUCTION_FAMILY];

/** The WebGPU target's kernel table; `scan` compiles its body's nodes through it too. */
export const GPU_KERNELS = kernelRegistry<GpuEmitContext, GpuDispatch[]>('webgpu', (registry) => ({
  kernels: { ...Object.assign({}, ...FAMILIES.map((f) => f.kernels)), scan: scanKernel(registry) },
  epilogues: Object.assign({}, ...FAMILIES.map((f) => f.epilogues ?? {})),
  fusedElementwise: FAMILIES.find((f) => f.fusedElementwise)?.fusedElementwise,
}));
