/**
 * Copies one byte range to another, a u32 word per invocation: a view of a
 * weight gets its own arena bytes this way (the plan does not alias weights).
 */
import type { GpuDispatch, Region } from './context.js';

const LANES = 64;

export function copyBytesDispatch(label: string, from: Region, to: Region): GpuDispatch {
  const { base, perBatch } = to.size;
  const bytes = perBatch === 0 ? `${base}u` : `${base}u + P.n * ${perBatch}u`;
  // Whole words: a byte size that is not a multiple of 4 (bool) is rounded up, as the binding is.
  const count = `(${bytes} + 3u) / 4u`;
  return {
    label,
    bindings: [
      { name: 'src', element: 'u32', region: from },
      { name: 'dst', element: 'u32', region: to },
    ],
    shader: { workgroupSize: [LANES], body: `if (gi < ${count}) {\n  dst[gi] = src[gi];\n}` },
    grid: [{ base, perBatch, per: 4 * LANES }],
  };
}
