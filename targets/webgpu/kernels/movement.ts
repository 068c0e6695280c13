/**
 * The data-movement family: ops that copy, rearrange, repeat or create
 * elements without arithmetic (and the two resizes), one result element per
 * invocation over a one-axis grid.
 */
import type { KernelFamily } from './family.js';
import { concatKernel } from './movement_concat.js';
import { gatherKernel } from './movement_gather.js';
import { REARRANGE_KERNELS } from './movement_rearrange.js';
import { resizeBilinearKernel, resizeNearestKernel } from './movement_resize.js';

export const MOVEMENT_FAMILY: KernelFamily = {
  kernels: {
    ...REARRANGE_KERNELS,
    concat: concatKernel,
    gather: gatherKernel,
    resize_nearest: resizeNearestKernel,
    resize_bilinear: resizeBilinearKernel,
  },
};
