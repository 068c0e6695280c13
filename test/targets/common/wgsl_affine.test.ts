/**
 * The one WGSL form of a quantity affine in the batch (`affineExpr`, which
 * copy, GEMM and elementwise kernels and every shape count use): its value
 * for every N, embedded in a larger expression, is `base + perBatch * N`.
 * The WGSL is evaluated as arithmetic (u32 literals and `P.n` replaced).
 */
import { describe, expect, it } from 'vitest';
import type { Affine } from '../../../runtime/affine.js';
import { affineExpr, countAffine, productExpr } from '../../../targets/webgpu/shape_exprs.js';

/** The value of a u32 WGSL expression made of literals, `P.n`, `+`, `*` and parentheses. */
function evaluate(wgsl: string, n: number): number {
  const js = wgsl.replace(/\bP\.n\b/g, String(n)).replace(/\b(\d+)u\b/g, '$1');
  expect(js).toMatch(/^[\d\s+*()]+$/);
  return Number(new Function(`return ${js};`)());
}

const AFFINES: Affine[] = [
  { base: 0, perBatch: 0 },
  { base: 7, perBatch: 0 },
  { base: 0, perBatch: 1 },
  { base: 0, perBatch: 12 },
  { base: 256, perBatch: 1 },
  { base: 3, perBatch: 5 },
];

describe('affineExpr', () => {
  it.each(AFFINES)('is base + perBatch * N for every N, also inside a product and a sum: %o', (a) => {
    for (const n of [1, 2, 7, 64]) {
      const want = a.base + a.perBatch * n;
      expect(evaluate(affineExpr(a), n)).toBe(want);
      expect(evaluate(`2u * ${affineExpr(a)}`, n)).toBe(2 * want);
      expect(evaluate(`${affineExpr(a)} * 3u + 1u`, n)).toBe(want * 3 + 1);
    }
  });

  it('is a literal when it does not depend on the batch', () => {
    expect(affineExpr({ base: 40, perBatch: 0 })).toBe('40u');
  });

  it('is the form of element counts of shapes with the batch', () => {
    for (const shape of [[], [3, 4], ['N', 5], [2, 'N', 3], ['N']] as const) {
      expect(productExpr(shape)).toBe(affineExpr(countAffine(shape)));
      const count = (n: number): number => shape.reduce<number>((p, d) => p * (d === 'N' ? n : d), 1);
      for (const n of [1, 9]) expect(evaluate(productExpr(shape), n)).toBe(count(n));
    }
  });
});
