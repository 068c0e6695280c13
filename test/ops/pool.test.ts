import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IRError, formatType, type Attrs, type Shape, type Tensor } from '../../compiler/index.js';
import { randomTensor } from './random.js';
import { expectMatches, inferTyped, runTyped, toTfTensor as toTf, type Operand } from './oracle.js';

/** An operand whose leading axis is declared as the symbolic batch N. */
const batched = (value: Tensor): Operand => ({ value, shape: ['N', ...value.shape.slice(1)] });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Pair = [number, number];
type Pads = [Pair, Pair];

const pools = [
  { op: 'max_pool2d', tfPool: tf.maxPool },
  { op: 'avg_pool2d', tfPool: tf.avgPool },
];

// Inputs are negative as well as positive, so a max that picked zero padding would show.
const cases: { name: string; x: number[]; pool: Pair; strides: Pair; padding: 'valid' | 'same' }[] = [
  { name: 'valid 2x2 stride 2, odd sizes', x: [2, 9, 10, 3], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { name: 'same 2x2 stride 2, odd sizes', x: [2, 9, 10, 3], pool: [2, 2], strides: [2, 2], padding: 'same' },
  { name: 'same 3x3 stride 1', x: [1, 9, 10, 3], pool: [3, 3], strides: [1, 1], padding: 'same' },
  { name: 'same 3x2 strides (2,1)', x: [1, 11, 12, 2], pool: [3, 2], strides: [2, 1], padding: 'same' },
  { name: 'valid 3x2 strides (1,2)', x: [1, 9, 10, 3], pool: [3, 2], strides: [1, 2], padding: 'valid' },
  { name: 'same 4x4 stride 3', x: [2, 11, 12, 2], pool: [4, 4], strides: [3, 3], padding: 'same' },
  { name: 'MNIST 2x2', x: [1, 26, 26, 4], pool: [2, 2], strides: [2, 2], padding: 'valid' },
];

describe.each(pools)('$op against tfjs', ({ op, tfPool }) => {
  it.each(cases)('$name', ({ x: xs, pool, strides, padding }) => {
    const x = randomTensor(xs, 51);
    const want = tfPool(toTf(x) as tf.Tensor4D, pool, strides, padding);
    expectMatches(runTyped(op, [batched(x)], { pool, strides, padding }), want);
  });
});

describe('explicit pads', () => {
  const padCases: { x: number[]; pool: Pair; strides: Pair; pads: Pads }[] = [
    { x: [2, 9, 10, 3], pool: [3, 3], strides: [2, 2], pads: [[1, 2], [2, 0]] },
    { x: [1, 7, 8, 2], pool: [2, 3], strides: [1, 2], pads: [[0, 1], [1, 1]] },
  ];

  it.each(padCases)('max_pool2d, pads $pads: pad with -inf, then valid', ({ x: xs, pool, strides, pads }) => {
    const x = randomTensor(xs, 52);
    const padded = tf.pad(toTf(x), [[0, 0], ...pads, [0, 0]], -Infinity) as tf.Tensor4D;
    const want = tf.maxPool(padded, pool, strides, 'valid');
    expectMatches(runTyped('max_pool2d', [batched(x)], { pool, strides, padding: 'explicit', pads }), want);
  });

  it.each(padCases)('avg_pool2d, pads $pads: window sums over counts of real elements', ({ x: xs, pool, strides, pads }) => {
    const x = randomTensor(xs, 53);
    const padSpec: [number, number][] = [[0, 0], ...pads, [0, 0]];
    const sums = tf.avgPool(tf.pad(toTf(x), padSpec) as tf.Tensor4D, pool, strides, 'valid');
    const counts = tf.avgPool(tf.pad(tf.onesLike(toTf(x)), padSpec) as tf.Tensor4D, pool, strides, 'valid');
    expectMatches(runTyped('avg_pool2d', [batched(x)], { pool, strides, padding: 'explicit', pads }), tf.div(sums, counts));
  });
});

describe('pool shape inference', () => {
  const infer = (op: string, x: Shape, attrs: Attrs): string => formatType(inferTyped(op, [{ dtype: 'f32', shape: x }], attrs));

  it.each([
    { x: ['N', 9, 10, 3], attrs: {}, want: 'f32[N,4,5,3]' },
    { x: ['N', 9, 10, 3], attrs: { padding: 'same' }, want: 'f32[N,5,5,3]' },
    { x: ['N', 9, 10, 3], attrs: { pool: [3, 2], strides: [1, 2] }, want: 'f32[N,7,5,3]' },
    { x: ['N', 9, 10, 3], attrs: { padding: 'explicit', pads: [[1, 0], [1, 1]] }, want: 'f32[N,5,6,3]' },
  ] as { x: Shape; attrs: Attrs; want: string }[])('$x $attrs -> $want', ({ x, attrs, want }) => {
    expect(infer('max_pool2d', x, attrs)).toBe(want);
    expect(infer('avg_pool2d', x, attrs)).toBe(want);
  });

  it.each([
    { x: ['N', 'N', 10, 3], attrs: {}, error: /input height must be a static size/ },
    { x: ['N', 9, 10], attrs: {}, error: /x must have rank 4/ },
    { x: ['N', 1, 10, 3], attrs: {}, error: /height: window of 2/ },
    { x: ['N', 9, 10, 3], attrs: { pool: [2, 0] }, error: /pool must be 2 integer/ },
    { x: ['N', 9, 10, 3], attrs: { padding: 'explicit', pads: [[2, 0], [0, 0]] }, error: /smaller than the pool window/ },
    { x: ['N', 9, 10, 3], attrs: { padding: 'valid', pads: [[1, 0], [0, 0]] }, error: /only used with padding "explicit"/ },
  ] as { x: Shape; attrs: Attrs; error: RegExp }[])('rejects $x $attrs', ({ x, attrs, error }) => {
    expect(() => infer('max_pool2d', x, attrs)).toThrow(IRError);
    expect(() => infer('avg_pool2d', x, attrs)).toThrow(error);
  });
});
