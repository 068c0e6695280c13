import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IRError, type Attrs, type Shape, type Tensor } from '../../compiler/index.js';
import { expectMatches, inferTyped, runTyped, toTfTensor } from './oracle.js';
import { randomTensor, type RandomOptions } from './random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type TfReduce = (x: tf.Tensor, axes: number[], keepDims: boolean) => tf.Tensor;

const REDUCERS: { op: string; tf: TfReduce; range?: RandomOptions }[] = [
  { op: 'reduce_sum', tf: (x, a, k) => tf.sum(x, a, k) },
  { op: 'reduce_mean', tf: (x, a, k) => tf.mean(x, a, k) },
  { op: 'reduce_max', tf: (x, a, k) => tf.max(x, a, k) },
  { op: 'reduce_min', tf: (x, a, k) => tf.min(x, a, k) },
  // Factors near 1 keep products of up to 105 elements in a sane range.
  { op: 'reduce_prod', tf: (x, a, k) => tf.prod(x, a, k), range: { min: 0.7, max: 1.4 } },
  { op: 'reduce_sum', tf: (x, a, k) => tf.sum(x, a, k), range: { min: -20, max: 20, dtype: 'i32' } },
  { op: 'reduce_max', tf: (x, a, k) => tf.max(x, a, k), range: { min: -20, max: 20, dtype: 'i32' } },
  { op: 'reduce_min', tf: (x, a, k) => tf.min(x, a, k), range: { min: -20, max: 20, dtype: 'i32' } },
  { op: 'reduce_prod', tf: (x, a, k) => tf.prod(x, a, k), range: { min: -3, max: 4, dtype: 'i32' } },
];

/** Axis lists tried on a [3,5,7] input (the first axis declared `N`). */
const AXES: number[][] = [[0], [1], [2], [-1], [0, 2], [2, 0], [-3, -2], [0, 1, 2]];

describe('reductions match tfjs', () => {
  it.each(REDUCERS.map((r) => [`${r.op} ${r.range?.dtype ?? 'f32'}`, r] as const))('%s', (_name, r) => {
    const x = randomTensor([3, 5, 7], 5, r.range);
    for (const axes of AXES) {
      for (const keepdims of [false, true]) {
        const got = runTyped(r.op, [{ value: x, shape: ['N', 5, 7] }], { axes, keepdims });
        expectMatches(got, r.tf(toTfTensor(x), axes, keepdims));
      }
    }
  });

  it('reduces nothing with axes=[] and handles a scalar', () => {
    const x = randomTensor([4, 3], 6);
    for (const r of REDUCERS.filter((r) => !r.range?.dtype)) {
      expectMatches(runTyped(r.op, [{ value: x }], { axes: [] }), x);
    }
    const s = randomTensor([], 7);
    expectMatches(runTyped('reduce_sum', [{ value: s }], { axes: [] }), s);
  });
});

describe('argmax', () => {
  it.each([0, 1, 2, -1])('matches tf.argMax on axis %d', (axis) => {
    const x = randomTensor([3, 5, 7], 8);
    expectMatches(runTyped('argmax', [{ value: x, shape: ['N', 5, 7] }], { axis }), tf.argMax(toTfTensor(x), axis));
    const xi = randomTensor([3, 5, 7], 9, { min: -100, max: 100, dtype: 'i32' });
    expectMatches(runTyped('argmax', [{ value: xi }], { axis }), tf.argMax(toTfTensor(xi), axis));
  });

  it('picks the first of tied maxima', () => {
    const x: Tensor = { dtype: 'f32', shape: [2, 4], data: Float32Array.of(1, 3, 3, 2, 5, 5, 5, 5) };
    expect(Array.from(runTyped('argmax', [{ value: x }], {}).data)).toEqual([1, 0]);
  });
});

/** log_softmax along any axis from tfjs primitives (tf.softmax / tf.logSoftmax only do the last axis). */
function tfLogSoftmax(x: tf.Tensor, axis: number): tf.Tensor {
  return tf.sub(x, tf.logSumExp(x, axis, true));
}

describe('softmax and log_softmax', () => {
  const SHAPES: { shape: number[]; declared?: Shape }[] = [
    { shape: [7] },
    { shape: [3, 10], declared: ['N', 10] },
    { shape: [3, 5, 7], declared: ['N', 5, 7] },
  ];
  it.each(SHAPES.map((s) => [JSON.stringify(s.shape), s] as const))('match tfjs on %s, every axis', (_name, s) => {
    const x = randomTensor(s.shape, 12, { min: -8, max: 8 });
    for (let axis = -1; axis < s.shape.length; axis++) {
      const attrs: Attrs = { axis };
      const tx = toTfTensor(x);
      const ax = axis < 0 ? s.shape.length - 1 : axis;
      expectMatches(runTyped('softmax', [{ value: x, shape: s.declared }], attrs), tf.exp(tfLogSoftmax(tx, ax)));
      expectMatches(runTyped('log_softmax', [{ value: x, shape: s.declared }], attrs), tfLogSoftmax(tx, ax));
      if (ax === s.shape.length - 1) {
        expectMatches(runTyped('softmax', [{ value: x }], attrs), tf.softmax(tx));
        expectMatches(runTyped('log_softmax', [{ value: x }], attrs), tf.logSoftmax(tx));
      }
    }
  });

  it('are stable for large logits', () => {
    const x: Tensor = { dtype: 'f32', shape: [1, 4], data: Float32Array.of(1000, 999, -1000, 0) };
    expectMatches(runTyped('softmax', [{ value: x }]), tf.softmax(toTfTensor(x)));
    expectMatches(runTyped('log_softmax', [{ value: x }]), tf.logSoftmax(toTfTensor(x)));
  });
});

describe('reduction shape inference', () => {
  const f32 = (...shape: Shape) => ({ dtype: 'f32' as const, shape });
  it.each([
    ['reduce_sum', f32('N', 4), { axes: [0] }, 'f32', [4]],
    ['reduce_sum', f32('N', 4), { axes: [0], keepdims: true }, 'f32', [1, 4]],
    ['reduce_mean', f32('N', 4, 4, 8), { axes: [1, 2] }, 'f32', ['N', 8]],
    ['reduce_max', f32('N', 4, 4, 8), { axes: [-2, -3], keepdims: true }, 'f32', ['N', 1, 1, 8]],
    ['reduce_min', f32('N', 3), { axes: [] }, 'f32', ['N', 3]],
    ['argmax', f32('N', 10), {}, 'i32', ['N']],
    ['argmax', f32('N', 10), { axis: 0 }, 'i32', [10]],
    ['softmax', f32('N', 10), {}, 'f32', ['N', 10]],
    ['log_softmax', f32('N', 2, 10), { axis: 1 }, 'f32', ['N', 2, 10]],
  ] as const)('%s %j %j', (op, x, attrs, dtype, shape) => {
    const t = inferTyped(op, [{ ...x, shape: [...x.shape] }], { ...attrs });
    expect(t).toEqual({ dtype, shape });
  });

  it.each([
    ['reduce_sum', f32(2, 3), { axes: [2] }, /axis 2 is out of range for rank 2/],
    ['reduce_sum', f32(2, 3), { axes: [-3] }, /axis -3 is out of range/],
    ['reduce_max', f32(2, 3), { axes: [1, -1] }, /name an axis twice/],
    ['reduce_mean', { dtype: 'i32' as const, shape: [2] }, { axes: [0] }, /must be f32/],
    ['reduce_sum', { dtype: 'bool' as const, shape: [2] }, { axes: [0] }, /must be f32 or i32/],
    ['reduce_sum', f32(2), {}, /missing attribute 'axes'/],
    ['argmax', f32(2, 3), { axis: 2 }, /out of range/],
    ['softmax', f32(2, 3), { axis: -3 }, /out of range/],
    ['softmax', { dtype: 'i32' as const, shape: [2] }, {}, /must be f32/],
  ] as const)('rejects %s %j %j', (op, x, attrs, message) => {
    const build = () => inferTyped(op, [{ ...x, shape: [...x.shape] }], { ...attrs });
    expect(build).toThrow(IRError);
    expect(build).toThrow(message);
  });
});
