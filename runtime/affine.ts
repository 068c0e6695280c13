/**
 * Byte quantities affine in the batch size: `base + perBatch * N`. Memory
 * plans, bundle layouts and dispatch ranges all use this one type: the
 * compiler and both targets compute them (their arithmetic is in
 * compiler/plan/affine.ts), the runtime only evaluates them for the batch of
 * a prediction, so it lives here, where everything may import it.
 */
export interface Affine {
  base: number;
  perBatch: number;
}

export function evalAffine(a: Affine, batch: number): number {
  return a.base + a.perBatch * batch;
}
