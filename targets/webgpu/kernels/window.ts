import type { KernelFamily } from './family.js';

export const WINDOW_FAMILY: KernelFamily = { kernels: {} };
