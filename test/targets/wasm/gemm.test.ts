/**
 * The binaryen-built SIMD GEMM against a plain triple-loop matmul, over many
 * shapes (odd M, N, K; M=1; K=27 as in im2col) and register tilings, with the
 * plain mul+add kernel and, where the engine has it, the relaxed-SIMD one.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { f32 } from '../../../compiler/ir/tensor.js';
import { engineHasRelaxedSimd } from '../../../targets/wasm/binaryen.js';
import { biasEpilogue, chainEpilogues, reluEpilogue, type Epilogue } from '../../../targets/wasm/gemm/epilogue.js';
import type { GemmSpec } from '../../../targets/wasm/gemm/microkernel.js';
import { buildGemmModule, instantiateGemm } from '../../../targets/wasm/gemm/module.js';
import { packB, panelLayout } from '../../../targets/wasm/gemm/pack.js';
import { compareTensors } from '../../helpers/tolerance.js';

// Node 20 has relaxed SIMD behind a flag; V8 reads wasm feature flags at compile
// time, so turning it on here (this test file runs in its own process) is enough.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const relaxedAvailable = engineHasRelaxedSimd();

/** Deterministic values in [-1, 1). */
function randomValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Reference: C = A·B (+bias, relu), accumulated in f64. */
function referenceMatmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  bias?: Float32Array,
  relu = false,
): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      for (let kk = 0; kk < k; kk++) sum += a[i * k + kk] * b[kk * n + j];
      c[i * n + j] = relu ? Math.max(sum, 0) : sum;
    }
  }
  return c;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

interface Case {
  m: number;
  k: number;
  n: number;
}

/** Builds, loads and runs the GEMM with A, packed B, bias and C laid out in its memory; returns C. */
async function runGemm(
  { m, k, n }: Case,
  tiling: Pick<GemmSpec, 'mr' | 'nr' | 'kUnroll' | 'relaxedSimd'>,
  a: Float32Array,
  b: Float32Array,
  bias?: Float32Array,
  relu = false,
): Promise<Float32Array> {
  const layout = panelLayout(k, n, tiling.nr);
  const packed = packB(b, layout);
  const biasPtr = 16;
  const paddedN = layout.panels * tiling.nr;
  const aPtr = align16(biasPtr + paddedN * 4);
  const bPtr = align16(aPtr + a.length * 4);
  const cPtr = align16(bPtr + packed.length * 4);
  const total = cPtr + m * n * 4 + 16;
  let epilogue: Epilogue | undefined;
  if (bias) epilogue = biasEpilogue(biasPtr);
  if (relu) epilogue = epilogue ? chainEpilogues(epilogue, reluEpilogue) : reluEpilogue;
  const { binary } = buildGemmModule({ k, n, ...tiling, epilogue }, { initialBytes: total });
  const gemm = await instantiateGemm(binary);
  const heap = new Float32Array(gemm.memory.buffer);
  if (bias) heap.set(bias, biasPtr / 4);
  heap.set(a, aPtr / 4);
  heap.set(packed, bPtr / 4);
  // A sentinel after C catches stores past the last column of the last row.
  heap[(cPtr + m * n * 4) / 4] = 12345;
  gemm.gemm(aPtr, bPtr, cPtr, m);
  expect(heap[(cPtr + m * n * 4) / 4]).toBe(12345);
  return heap.slice(cPtr / 4, cPtr / 4 + m * n);
}

async function expectGemmMatches(c: Case, tiling: Pick<GemmSpec, 'mr' | 'nr' | 'kUnroll' | 'relaxedSimd'>): Promise<void> {
  const a = randomValues(c.m * c.k, 7 + c.m * 31 + c.k);
  const b = randomValues(c.k * c.n, 11 + c.n * 17 + c.k);
  const got = await runGemm(c, tiling, a, b);
  const expected = referenceMatmul(a, b, c.m, c.k, c.n);
  const where = `M=${c.m} K=${c.k} N=${c.n} tile ${tiling.mr}x${tiling.nr} unroll ${tiling.kUnroll}`;
  expect(compareTensors(f32([c.m, c.n], got), f32([c.m, c.n], expected)), where).toBeNull();
}

const shapes: Case[] = [
  { m: 1, k: 1, n: 1 },
  { m: 1, k: 27, n: 32 },
  { m: 1, k: 130, n: 100 },
  { m: 2, k: 5, n: 3 },
  { m: 3, k: 27, n: 16 },
  { m: 4, k: 8, n: 8 },
  { m: 5, k: 7, n: 13 },
  { m: 7, k: 1, n: 5 },
  { m: 9, k: 64, n: 24 },
  { m: 13, k: 100, n: 37 },
  { m: 17, k: 33, n: 9 },
  { m: 33, k: 129, n: 70 },
  { m: 64, k: 64, n: 64 },
];

const tilings = [
  { mr: 4, nr: 8, kUnroll: 4 },
  { mr: 6, nr: 8, kUnroll: 4 },
  { mr: 5, nr: 8, kUnroll: 1 },
  { mr: 3, nr: 12, kUnroll: 8 },
  { mr: 2, nr: 16, kUnroll: 2 },
  { mr: 1, nr: 4, kUnroll: 3 },
];

describe('WASM SIMD GEMM (mul + add)', () => {
  for (const tiling of tilings) {
    it(`matches the reference matmul with a ${tiling.mr}x${tiling.nr} tile, K unrolled ${tiling.kUnroll}x`, async () => {
      for (const c of shapes) await expectGemmMatches(c, { ...tiling, relaxedSimd: false });
    });
  }

  it('handles every leftover row count (M from 0 to 2*MR+1)', async () => {
    for (let m = 0; m <= 13; m++) await expectGemmMatches({ m, k: 19, n: 21 }, { mr: 6, nr: 8, kUnroll: 4, relaxedSimd: false });
  });

  it('runs a batch-1 Dense shape (1x1280x1000) and a 64x512x64 block', async () => {
    await expectGemmMatches({ m: 1, k: 1280, n: 1000 }, { mr: 4, nr: 8, kUnroll: 4, relaxedSimd: false });
    await expectGemmMatches({ m: 64, k: 512, n: 64 }, { mr: 4, nr: 8, kUnroll: 4, relaxedSimd: false });
  });

  it('applies a fused bias + relu epilogue when storing C', async () => {
    for (const c of [{ m: 5, k: 27, n: 13 }, { m: 8, k: 16, n: 32 }, { m: 1, k: 9, n: 3 }]) {
      const a = randomValues(c.m * c.k, 3);
      const b = randomValues(c.k * c.n, 5);
      const bias = randomValues(c.n, 9);
      const tiling = { mr: 4, nr: 8, kUnroll: 4, relaxedSimd: false };
      const got = await runGemm(c, tiling, a, b, bias, true);
      const expected = referenceMatmul(a, b, c.m, c.k, c.n, bias, true);
      expect(compareTensors(f32([c.m, c.n], got), f32([c.m, c.n], expected))).toBeNull();
      expect(got.some((x) => x === 0) && got.some((x) => x > 0)).toBe(true);
    }
  });

  it('emits plain f32x4 mul/add and no relaxed ops', () => {
    const { text } = buildGemmModule({ k: 8, n: 8, mr: 4, nr: 8, kUnroll: 4, relaxedSimd: false });
    expect(text).toContain('f32x4.mul');
    expect(text).toContain('f32x4.add');
    expect(text).not.toContain('relaxed');
  });

  it('rejects bad tilings and packing inputs with a clear error', () => {
    expect(() => panelLayout(8, 8, 6)).toThrow(/multiple of 4/);
    expect(() => packB(new Float32Array(5), panelLayout(2, 3, 4))).toThrow(/B has 5 values, expected K\*N = 2\*3 = 6/);
    expect(() => buildGemmModule({ k: 8, n: 8, mr: 0, nr: 8, kUnroll: 4, relaxedSimd: false })).toThrow(/MR must be/);
  });
});

describe.runIf(relaxedAvailable)('WASM SIMD GEMM (relaxed madd)', () => {
  it('emits f32x4.relaxed_madd', () => {
    const { text } = buildGemmModule({ k: 8, n: 8, mr: 6, nr: 8, kUnroll: 4, relaxedSimd: true });
    expect(text).toContain('f32x4.relaxed_madd');
    expect(text).not.toContain('f32x4.mul');
  });

  for (const tiling of tilings.slice(0, 3)) {
    it(`matches the reference matmul with a ${tiling.mr}x${tiling.nr} tile`, async () => {
      for (const c of shapes) await expectGemmMatches(c, { ...tiling, relaxedSimd: true });
    });
  }
});

it.skipIf(relaxedAvailable)('relaxed SIMD is unavailable on this engine, so its GEMM tests were skipped', () => {
  expect(relaxedAvailable).toBe(false);
});
