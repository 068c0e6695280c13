/**
 * The per-step data movement of a recurrent `scan` between a `[rows, T, ...]`
 * tensor and its `[rows, ...]` slice at one time index, a u32 word per
 * invocation: `gather` reads x[:, time] into a body input, `stack` writes a
 * step output to y[:, i]. The index comes from the uniform (`P.t` is the
 * step), so one shader serves every step and the modules dedupe.
 */
import type { Dim } from '../../../compiler/ir/types.js';
import { dimExpr } from '../shape_exprs.js';
import type { GpuDispatch, Region } from './context.js';

const LANES = 64;

/** The sliced tensor's layout: rows (the leading dim), steps T, and u32 words per (row, time) item. */
export interface TimeSliceLayout {
  rows: Dim;
  steps: number;
  itemWords: number;
}

export type TimeSliceDirection =
  /** dst[r, :] = src[r, time, :], time = step (or T-1-step when reversed). */
  | { kind: 'gather'; reverse: boolean }
  /** dst[r, step, :] = src[r, :]. */
  | { kind: 'stack' };

export function timeSliceDispatch(label: string, direction: TimeSliceDirection, layout: TimeSliceLayout, src: Region, dst: Region, step: number): GpuDispatch {
  const { rows, steps, itemWords } = layout;
  const count = `${dimExpr(rows)} * ${itemWords}u`;
  const time = direction.kind === 'gather' && direction.reverse ? `${steps - 1}u - P.t` : 'P.t';
  const sliced = `(gi / ${itemWords}u * ${steps}u + ${time}) * ${itemWords}u + gi % ${itemWords}u`;
  const copy = direction.kind === 'gather' ? `dst[gi] = src[${sliced}];` : `dst[${sliced}] = src[gi];`;
  return {
    label,
    bindings: [
      { name: 'src', element: 'u32', region: src },
      { name: 'dst', element: 'u32', region: dst },
    ],
    shader: { workgroupSize: [LANES], body: `if (gi < ${count}) {\n  ${copy}\n}` },
    grid: [rows === 'N' ? { base: 0, perBatch: itemWords, per: LANES } : { base: rows * itemWords, perBatch: 0, per: LANES }],
    step,
  };
}
