import type { GpuKernelEmitter } from './context.js';

/** The recurrent loop; compiles its body's nodes through the target's table (passed in to avoid an import cycle). */
export function scanKernel(_lookup: unknown): GpuKernelEmitter {
  return { unsupported: () => 'the webgpu target does not support op \'scan\' yet', emit: () => [] };
}
