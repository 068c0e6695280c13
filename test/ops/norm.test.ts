import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IRError, type Shape, type Tensor } from '../../compiler/index.js';
import { expectMatches, inferTyped, runTyped, toTfTensor } from './oracle.js';
import { randomTensor } from './random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A shape of `rank` ones except `dims` at `axes`: the broadcast shape of a per-axis parameter. */
function paramBroadcastShape(rank: number, axes: number[], dims: number[]): number[] {
  const shape = new Array<number>(rank).fill(1);
  axes.forEach((ax, i) => (shape[ax] = dims[i]));
  return shape;
}

describe('batch_norm matches tfjs', () => {
  const CASES: { shape: number[]; declared?: Shape; axis?: number; epsilon?: number }[] = [
    { shape: [3, 7, 5, 4], declared: ['N', 7, 5, 4] },
    { shape: [2, 6], declared: ['N', 6], epsilon: 0.01 },
    { shape: [9] },
    { shape: [2, 4, 3, 5], axis: 1 },
    { shape: [2, 4, 3, 5], axis: -2, epsilon: 1e-5 },
  ];
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const rank = c.shape.length;
    const axis = (c.axis ?? -1) < 0 ? rank + (c.axis ?? -1) : (c.axis ?? -1);
    const channels = c.shape[axis];
    const x = randomTensor(c.shape, 21);
    const mean = randomTensor([channels], 22);
    const variance = randomTensor([channels], 23, { min: 0.1, max: 2 });
    const gamma = randomTensor([channels], 24);
    const beta = randomTensor([channels], 25);
    const attrs = { ...(c.axis === undefined ? {} : { axis: c.axis }), ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }) };
    const got = runTyped('batch_norm', [{ value: x, shape: c.declared }, { value: mean }, { value: variance }, { value: gamma }, { value: beta }], attrs);
    const eps = c.epsilon ?? 0.001;
    // tf.batchNorm broadcasts its parameters against x; reshape them onto `axis` (tfjs' cpu
    // kernel is only right for the last axis, so other axes go through plain broadcasting ops).
    const p = (t: Tensor) => tf.reshape(toTfTensor(t), paramBroadcastShape(rank, [axis], [channels]));
    const expected =
      axis === rank - 1
        ? tf.batchNorm(toTfTensor(x), toTfTensor(mean), toTfTensor(variance), toTfTensor(beta), toTfTensor(gamma), eps)
        : tf.add(tf.mul(tf.div(tf.sub(toTfTensor(x), p(mean)), tf.sqrt(tf.add(p(variance), eps))), p(gamma)), p(beta));
    expectMatches(got, expected);
  });
});

describe('layer_norm matches tfjs moments', () => {
  const CASES: { shape: number[]; declared?: Shape; axes?: number[]; epsilon?: number }[] = [
    { shape: [3, 5, 12], declared: ['N', 5, 12] },
    { shape: [3, 5, 8], declared: ['N', 5, 8], axes: [1, 2] },
    { shape: [2, 5, 8], axes: [-1, -2], epsilon: 1e-5 },
    { shape: [2, 6, 3], axes: [1] },
    { shape: [2, 3, 4, 5], axes: [1, 3] },
    { shape: [4, 16], declared: ['N', 16], epsilon: 0.01 },
  ];
  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const rank = c.shape.length;
    const axes = (c.axes ?? [-1]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const paramShape = axes.map((ax) => c.shape[ax]);
    // An offset keeps the mean away from zero, so centring is really tested.
    const x = randomTensor(c.shape, 31, { min: 1, max: 7 });
    const gamma = randomTensor(paramShape, 32);
    const beta = randomTensor(paramShape, 33);
    const attrs = { ...(c.axes === undefined ? {} : { axes: c.axes }), ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }) };
    const got = runTyped('layer_norm', [{ value: x, shape: c.declared }, { value: gamma }, { value: beta }], attrs);
    const tx = toTfTensor(x);
    const { mean, variance } = tf.moments(tx, axes, true);
    const p = (t: Tensor) => tf.reshape(toTfTensor(t), paramBroadcastShape(rank, axes, paramShape));
    const normalized = tf.div(tf.sub(tx, mean), tf.sqrt(tf.add(variance, c.epsilon ?? 0.001)));
    expectMatches(got, tf.add(tf.mul(normalized, p(gamma)), p(beta)));
  });
});

describe('normalization shape checks', () => {
  const f32 = (...shape: Shape) => ({ dtype: 'f32' as const, shape });
  const bn = (x: Shape, c: number) => [f32(...x), f32(c), f32(c), f32(c), f32(c)];

  it('keeps the input type, N included', () => {
    expect(inferTyped('batch_norm', bn(['N', 7, 4], 4)).shape).toEqual(['N', 7, 4]);
    expect(inferTyped('layer_norm', [f32('N', 5, 8), f32(5, 8), f32(5, 8)], { axes: [1, 2] }).shape).toEqual(['N', 5, 8]);
  });

  it.each([
    ['batch_norm', bn(['N', 7, 4], 3), {}, /mean must have shape \[4\], got \[3\]/],
    ['batch_norm', [f32('N', 4), f32(4), f32(4), f32(4), f32(2, 2)], {}, /beta must have shape \[4\]/],
    ['batch_norm', bn(['N', 4], 4), { axis: 2 }, /out of range/],
    ['batch_norm', bn(['N', 4], 4), { axis: 0 }, /batch axis N/],
    ['batch_norm', bn(['N', 4], 4), { epsilon: -1 }, /epsilon must be >= 0/],
    ['batch_norm', [{ dtype: 'i32' as const, shape: ['N', 4] }, f32(4), f32(4), f32(4), f32(4)], {}, /input must be f32/],
    ['layer_norm', [f32('N', 5, 8), f32(8), f32(8)], { axes: [1, 2] }, /gamma must have shape \[5,8\], got \[8\]/],
    ['layer_norm', [f32('N', 8), f32(8), f32(7)], {}, /beta must have shape \[8\]/],
    ['layer_norm', [f32('N', 8), f32(8), f32(8)], { axes: [] }, /at least one axis/],
    ['layer_norm', [f32('N', 8), f32(8), f32(8)], { axes: [1, -1] }, /twice/],
    ['layer_norm', [f32('N', 8), f32(8), f32(8)], { axes: [0, 1] }, /batch axis N/],
  ] as const)('rejects %s %j %j', (op, operands, attrs, message) => {
    const build = () => inferTyped(op, operands.map((t) => ({ ...t, shape: [...t.shape] })), { ...attrs });
    expect(build).toThrow(IRError);
    expect(build).toThrow(message);
  });
});
