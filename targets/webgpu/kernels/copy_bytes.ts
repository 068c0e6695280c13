/**
 * Copies one byte range to another, a u32 word per invocation: a view of a
 * weight gets its own arena bytes this way (the plan does not alias weights).
 */
import type { GpuDispatch, Region } from './context.js';

const LANES = 64;

export function copyBytesDispatch(label: string, from: Region, to: Region): GpuDispatch {
  const words = { base: Math.ceil(to.size.base / 4), perBatch: Math.ceil(to.size.perBatch / 4) };
  const count = words.perBatch === 0 ? `${words.base}u` : `${words.base}u + P.n * ${words.perBatch}u`;
  return {
    label,
    bindings: [
      { name: 'src', element: 'u32', region: from },
      { name: 'dst', element: 'u32', region: to },
    ],
    shader: { workgroupSize: [LANES], body: `if (gi < ${count}) {\n  dst[gi] = src[gi];\n}` },
    grid: [{ ...words, per: LANES }],
  };
}
