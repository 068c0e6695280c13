/**
 * The NHWC sliding-window family: depthwise convolution (also as the anchor
 * of fused epilogue kernels) and 2-D max / average pooling.
 */
import type { KernelFamily } from './family.js';
import { depthwiseKernel } from './window_depthwise.js';
import { avgPoolKernel, maxPoolKernel } from './window_pool.js';

export const WINDOW_FAMILY: KernelFamily = {
  kernels: { depthwise_conv2d: depthwiseKernel, max_pool2d: maxPoolKernel, avg_pool2d: avgPoolKernel },
  epilogues: { depthwise_conv2d: depthwiseKernel },
};
