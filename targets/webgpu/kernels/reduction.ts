/**
 * The reduction family: reductions over any axes, argmax, softmax and
 * log_softmax over any axis, layer_norm and inference batch_norm.
 */
import type { GpuKernelEmitter } from './context.js';
import type { KernelFamily } from './family.js';
import { batchNormKernel } from './norm_batch.js';
import { layerNormKernel } from './norm_layer.js';
import { argmaxKernel } from './reduce_argmax.js';
import { REDUCE_OPS, reduceKernel } from './reduce_ops.js';
import { softmaxKernel } from './reduce_softmax.js';

const kernels: Readonly<Record<string, GpuKernelEmitter>> = {
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, reduceKernel])),
  argmax: argmaxKernel,
  softmax: softmaxKernel(false),
  log_softmax: softmaxKernel(true),
  layer_norm: layerNormKernel,
  batch_norm: batchNormKernel,
};

export const REDUCTION_FAMILY: KernelFamily = { kernels };
