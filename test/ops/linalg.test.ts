import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IRError, formatType, type Shape, type Tensor } from '../../compiler/index.js';
import { randomTensor } from './random.js';
import { expectMatches, inferTyped, runTyped, toTfTensor as toTf, type Operand } from './oracle.js';

/** An operand whose leading axis is declared as the symbolic batch N. */
const batched = (value: Tensor): Operand => ({ value, shape: ['N', ...value.shape.slice(1)] });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface MatmulCase {
  name: string;
  a: number[];
  b: number[];
  ta?: boolean;
  tb?: boolean;
  /** Which operands have the symbolic batch N as their leading axis (default: a only). */
  n?: boolean[];
}

const cases: MatmulCase[] = [
  { name: '2-D', a: [5, 7], b: [7, 3] },
  { name: 'transpose_a', a: [7, 5], b: [7, 3], ta: true, n: [] },
  { name: 'transpose_b', a: [5, 7], b: [3, 7], tb: true },
  { name: 'both transposed', a: [7, 5], b: [3, 7], ta: true, tb: true, n: [] },
  { name: 'batched, equal batch axes', a: [4, 5, 7], b: [4, 7, 3], n: [true, true] },
  { name: 'rank 3 by rank 2 (Dense on a sequence)', a: [3, 6, 8], b: [8, 5] },
  { name: 'rank 2 by rank 3', a: [5, 7], b: [3, 7, 6], n: [false, true] },
  { name: 'broadcast size-1 batch axis', a: [2, 1, 5, 7], b: [3, 7, 4], n: [] },
  { name: 'broadcast with transposes', a: [2, 3, 7, 5], b: [1, 3, 4, 7], ta: true, tb: true, n: [] },
  { name: 'vector-like edges', a: [3, 1, 9], b: [3, 9, 1], n: [true, true] },
];

/** tf.matMul on operands tiled to the common batch shape (tfjs needs equal batches). */
function oracle(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  const rank = Math.max(a.rank, b.rank);
  const pad = (s: number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const as = pad(a.shape);
  const bs = pad(b.shape);
  const batch = as.slice(0, -2).map((d, i) => Math.max(d, bs[i]));
  const flat = (t: tf.Tensor, s: number[]): tf.Tensor3D =>
    tf.broadcastTo(t.reshape(s), [...batch, ...s.slice(-2)]).reshape([-1, ...s.slice(-2)]) as tf.Tensor3D;
  const y = tf.matMul(flat(a, as), flat(b, bs), ta, tb);
  return y.reshape([...batch, ...y.shape.slice(-2)]);
}

describe('matmul against tf.matMul', () => {
  it.each(cases)('$name: $a x $b', ({ a, b, ta = false, tb = false, n = [true] }) => {
    const at = randomTensor(a, 1);
    const bt = randomTensor(b, 2);
    const operands = [at, bt].map((value, i) => (n[i] ? batched(value) : { value }));
    const got = runTyped('matmul', operands, { transpose_a: ta, transpose_b: tb });
    expectMatches(got, oracle(toTf(at), toTf(bt), ta, tb));
  });

  it('multiplies i32 matrices exactly', () => {
    const at = randomTensor([2, 4, 3], 3, { dtype: 'i32', min: -5, max: 5 });
    const bt = randomTensor([3, 2], 4, { dtype: 'i32', min: -5, max: 5 });
    const got = runTyped('matmul', [batched(at), { value: bt }]);
    const want = tf.matMul(tf.tensor(at.data, at.shape, 'int32').reshape([8, 3]), tf.tensor(bt.data, bt.shape, 'int32'));
    expect(got.dtype).toBe('i32');
    expect(Array.from(got.data)).toEqual(Array.from(want.dataSync()));
  });
});

describe('matmul shape inference', () => {
  const infer = (a: Shape, b: Shape, attrs = {}): string =>
    formatType(inferTyped('matmul', [{ dtype: 'f32', shape: a }, { dtype: 'f32', shape: b }], attrs));

  it.each([
    { a: ['N', 6, 8], b: [8, 5], want: 'f32[N,6,5]' },
    { a: ['N', 8], b: [8, 5], want: 'f32[N,5]' },
    { a: ['N', 4, 6], b: ['N', 4, 6], attrs: { transpose_b: true }, want: 'f32[N,4,4]' },
    { a: ['N', 4, 6], b: ['N', 4, 6], attrs: { transpose_a: true }, want: 'f32[N,6,6]' },
    { a: [1, 'N', 3, 4], b: [2, 1, 4, 5], want: 'f32[2,N,3,5]' },
  ] as { a: Shape; b: Shape; attrs?: object; want: string }[])('$a x $b -> $want', ({ a, b, attrs, want }) => {
    expect(infer(a, b, attrs)).toBe(want);
  });

  it.each([
    { a: [4, 5], b: [6, 3], error: /inner dimensions differ: 5 vs 6.*f32\[4,5\].*f32\[6,3\]/ },
    { a: [2, 4, 5], b: [3, 5, 3], error: /batch axes do not broadcast.*f32\[2,4,5\].*f32\[3,5,3\]/ },
    { a: [5], b: [5, 3], error: /rank >= 2/ },
  ] as { a: Shape; b: Shape; error: RegExp }[])('rejects $a x $b', ({ a, b, error }) => {
    expect(() => infer(a, b)).toThrow(IRError);
    expect(() => infer(a, b)).toThrow(error);
  });

  it('rejects mixed dtypes', () => {
    const operands = [{ dtype: 'f32' as const, shape: [2, 3] }, { dtype: 'i32' as const, shape: [3, 2] }];
    expect(() => inferTyped('matmul', operands)).toThrow(/dtypes differ/);
  });
});
