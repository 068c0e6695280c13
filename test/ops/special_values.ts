/**
 * Special-value inputs and the comparison rule for them (docs/OPS.md,
 * "Special values"): NaN-ness and infinities must match exactly, the sign of
 * zero where the policy fixes it, and finite values by the conformance rule.
 */
import type { Tensor } from '../../compiler/ir/tensor.js';
import { compareTensors, CONFORMANCE_TOLERANCE } from '../helpers/tolerance.js';

/** The smallest positive f32 normal is 1.18e-38; 1e-40 is a denormal. */
export const DENORMAL = 1e-40;

/** Every kind of special f32 value, then ordinary ones on both sides of the branch points (0, 0.5, 6). */
export const SPECIAL_VALUES: readonly number[] = [
  NaN, Infinity, -Infinity, -0, 0, DENORMAL, -DENORMAL, 1e30, -1e30, 3e38, -3e38,
  2.5, -2.5, 0.5, -0.5, 1.5, 7, -7, 100, -100, 89, -104,
];

/** The zeros of `got` and `want` must have the same sign. */
export interface SpecialCompare {
  zeroSign?: boolean;
}

function describeValue(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** i32 and bool results (indices, casts, comparisons) must be equal, not just close. */
function compareExactly(got: Tensor, want: Tensor): string | null {
  if (got.shape.join(',') !== want.shape.join(',')) return `shape [${got.shape.join(',')}] != expected [${want.shape.join(',')}]`;
  const i = want.data.findIndex((w, k) => got.data[k] !== w);
  return i < 0 ? null : `element ${i}: got ${got.data[i]}, expected ${want.data[i]}`;
}

/**
 * Null when `got` matches `want`: same dtype and shape, NaN exactly where
 * `want` is NaN, equal infinities, equal zero signs when asked, the rest
 * within the conformance tolerance. Else a message naming the element.
 */
export function compareSpecial(got: Tensor, want: Tensor, options: SpecialCompare = {}): string | null {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype} != expected ${want.dtype}`;
  if (got.dtype !== 'f32') return compareExactly(got, want);
  const g = Array.from(got.data);
  const w = Array.from(want.data);
  for (let i = 0; i < w.length && i < g.length; i++) {
    const bad = `element ${i}: got ${describeValue(g[i])}, expected ${describeValue(w[i])}`;
    if (Number.isNaN(w[i]) || Number.isNaN(g[i])) {
      if (Number.isNaN(w[i]) !== Number.isNaN(g[i])) return bad;
    } else if (!Number.isFinite(w[i]) || !Number.isFinite(g[i])) {
      if (g[i] !== w[i]) return bad;
    } else if (options.zeroSign && w[i] === 0 && g[i] === 0) {
      if (!Object.is(g[i], w[i])) return bad;
      continue;
    } else {
      continue;
    }
    g[i] = 0;
    w[i] = 0;
  }
  return compareTensors({ ...got, data: Float32Array.from(g) }, { ...want, data: Float32Array.from(w) }, CONFORMANCE_TOLERANCE);
}
