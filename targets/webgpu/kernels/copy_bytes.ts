/**
 * Copies one byte range to another, a u32 word per invocation: a view of a
 * weight gets its own arena bytes this way (the plan does not alias weights).
 */
import { affineExpr } from '../shape_exprs.js';
import type { GpuDispatch, Region } from './context.js';

const LANES = 64;

export function copyBytesDispatch(label: string, from: Region, to: Region): GpuDispatch {
  // Whole words: a byte size that is not a multiple of 4 (bool) is rounded up, as the binding is.
  const count = `(${affineExpr(to.size)} + 3u) / 4u`;
  return {
    label,
    bindings: [
      { name: 'src', element: 'u32', region: from },
      { name: 'dst', element: 'u32', region: to },
    ],
    shader: { workgroupSize: [LANES], body: `if (gi < ${count}) {\n  dst[gi] = src[gi];\n}` },
    grid: [{ ...to.size, per: 4 * LANES }],
  };
}
