import type { KernelFamily } from './family.js';

export const REDUCTION_FAMILY: KernelFamily = { kernels: {} };
