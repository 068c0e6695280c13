import type { KernelFamily } from './family.js';

export const MOVEMENT_FAMILY: KernelFamily = { kernels: {} };
