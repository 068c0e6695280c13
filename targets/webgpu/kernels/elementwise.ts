import type { KernelFamily } from './family.js';

export const ELEMENTWISE_FAMILY: KernelFamily = { kernels: {} };
