/**
 * The conformance suite's tolerance rule: an output passes when shapes are
 * equal and every element has |got - expected| <= atol + rtol * |expected|
 * (a NaN anywhere fails).
 */
import type { Tensor } from '../../compiler/ir/tensor.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export const CONFORMANCE_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** Returns null when `got` matches, else a message naming the first failing element. */
export function compareTensors(got: Tensor, expected: Tensor, tol: Tolerance = CONFORMANCE_TOLERANCE): string | null {
  if (got.shape.length !== expected.shape.length || got.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${got.shape.join(',')}] != expected [${expected.shape.join(',')}]`;
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const g = got.data[i];
    const e = expected.data[i];
    const limit = tol.atol + tol.rtol * Math.abs(e);
    const err = Math.abs(g - e);
    if (Number.isNaN(g) || Number.isNaN(e) || !(err <= limit)) {
      const excess = Number.isNaN(err) ? Infinity : err - limit;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  if (worst < 0) return null;
  return `element ${worst}: got ${got.data[worst]}, expected ${expected.data[worst]} (|diff| ${Math.abs(got.data[worst] - expected.data[worst])}, allowed ${tol.atol + tol.rtol * Math.abs(expected.data[worst])})`;
}
