/**
 * The wasm target's support table, declared as data: op name -> kernel
 * emitter. `fused` nodes go by their form (an elementwise body, or the
 * anchor op of an epilogue body). An op missing here is unsupported, and
 * the error names it; `const` and views need no kernel (see module.ts).
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { kernelForm } from '../../../compiler/ops/fused.js';
import { ELEMENTWISE_RULES } from '../elementwise.js';
import type { GraphFacts, KernelEmitter } from './context.js';
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

/** Epilogue kernels by the op of their anchor. */
const EPILOGUE_KERNELS: Readonly<Record<string, KernelEmitter>> = {
  matmul: matmulKernel,
  conv2d: convKernel,
  depthwise_conv2d: depthwiseKernel,
};

/** The emitter for a fused body's form, or why there is none. */
function formEmitter(node: Node): KernelEmitter | string {
  if (!node.body) return 'fused node without a body';
  if (kernelForm(node.body) === 'elementwise') return fusedElementwise;
  return EPILOGUE_KERNELS[node.body.nodes[0].op] ?? `the wasm target does not support op '${node.body.nodes[0].op}' yet`;
}

const fusedKernel: KernelEmitter = {
  unsupported(node, facts) {
    const emitter = formEmitter(node);
    return typeof emitter === 'string' ? emitter : emitter.unsupported(node, facts);
  },
  emit(ctx) {
    const emitter = formEmitter(ctx.node);
    if (typeof emitter === 'string') throw new Error(emitter);
    return emitter.emit(ctx);
  },
};

const KERNELS: Readonly<Record<string, KernelEmitter>> = {
  ...Object.fromEntries(Object.keys(ELEMENTWISE_RULES).map((op) => [op, plainElementwise])),
  fused: fusedKernel,
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
  // The scan kernel compiles its body's nodes through this same table.
  scan: scanKernel(kernelFor),
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
};

/** The op a node is reported as when unsupported: a fused epilogue kernel by its anchor. */
export function reportedOp(node: Node): string {
  if (KERNELS[node.op] === fusedKernel && node.body && kernelForm(node.body) === 'epilogue') return node.body.nodes[0].op;
  return node.op;
}

/** The emitter for a node, or an explanation (naming the op) of why there is none. */
export function kernelFor(node: Node, facts: GraphFacts): KernelEmitter | string {
  const emitter = KERNELS[node.op];
  if (!emitter) return `the wasm target does not support op '${reportedOp(node)}' yet`;
  return emitter.unsupported(node, facts) ?? emitter;
}
