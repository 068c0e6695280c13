import type { KernelFamily } from './family.js';

export const MATMUL_FAMILY: KernelFamily = { kernels: {} };
