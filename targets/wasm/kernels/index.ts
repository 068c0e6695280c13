/**
 * The wasm target's support table, declared as data: op name -> kernel
 * emitter, and the emitters of `fused` kernels by their form (see
 * ../../common/kernel_registry.ts for how a node finds its emitter).
 */
import { kernelRegistry } from '../../common/kernel_registry.js';
import type { Expr } from '../binaryen.js';
import { ELEMENTWISE_RULES } from '../elementwise.js';
import type { EmitContext } from './context.js';
import { fusedElementwise, plainElementwise } from './elementwise.js';
import { convKernel } from './conv.js';
import { depthwiseKernel } from './depthwise.js';
import { matmulKernel } from './matmul.js';
import { anyMatmulKernel } from './matmul_general.js';
import { poolKernel } from './pool.js';
import { reduceKernel } from './reduce.js';
import { resizeKernel } from './resize.js';
import { broadcastToKernel, concatKernel, fillKernel, padKernel, reverseKernel, sliceKernel, tileKernel, transposeKernel } from './rearrange.js';
import { gatherKernel } from './gather.js';
import { layerNormKernel } from './layer_norm.js';
import { batchNormKernel } from './batch_norm.js';
import { argmaxKernel } from './argmax.js';
import { softmaxKernel } from './softmax.js';
import { scanKernel } from './scan.js';

/** The wasm target's kernel table; `scan` compiles its body's nodes through it too. */
export const WASM_KERNELS = kernelRegistry<EmitContext, Expr>('wasm', (registry) => ({
  kernels: {
    ...Object.fromEntries(Object.keys(ELEMENTWISE_RULES).map((op) => [op, plainElementwise])),
    matmul: anyMatmulKernel,
    conv2d: convKernel,
    depthwise_conv2d: depthwiseKernel,
    max_pool2d: poolKernel,
    avg_pool2d: poolKernel,
    resize_nearest: resizeKernel,
    resize_bilinear: resizeKernel,
    reduce_sum: reduceKernel,
    reduce_mean: reduceKernel,
    reduce_max: reduceKernel,
    reduce_min: reduceKernel,
    reduce_prod: reduceKernel,
    softmax: softmaxKernel,
    log_softmax: softmaxKernel,
    scan: scanKernel(registry),
    transpose: transposeKernel,
    slice: sliceKernel,
    reverse: reverseKernel,
    tile: tileKernel,
    broadcast_to: broadcastToKernel,
    concat: concatKernel,
    pad: padKernel,
    fill: fillKernel,
    gather: gatherKernel,
    layer_norm: layerNormKernel,
    batch_norm: batchNormKernel,
    argmax: argmaxKernel,
  },
  epilogues: {
    matmul: matmulKernel,
    conv2d: convKernel,
    depthwise_conv2d: depthwiseKernel,
  },
  fusedElementwise,
}));
