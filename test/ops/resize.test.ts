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

const resizers = [
  { op: 'resize_nearest', tfResize: tf.image.resizeNearestNeighbor },
  { op: 'resize_bilinear', tfResize: tf.image.resizeBilinear },
];

const flags = [
  { align_corners: false, half_pixel_centers: false },
  { align_corners: true, half_pixel_centers: false },
  { align_corners: false, half_pixel_centers: true },
];

const sizes: { x: number[]; size: Pair }[] = [
  { x: [2, 4, 5, 3], size: [8, 10] }, // UpSampling2D-style x2
  { x: [1, 4, 5, 2], size: [12, 5] }, // x3 rows, same columns
  { x: [1, 5, 4, 2], size: [7, 9] }, // non-integer up
  { x: [1, 9, 10, 2], size: [4, 3] }, // non-integer down
  { x: [1, 6, 7, 1], size: [1, 2] }, // down to a single row (align_corners edge case)
  { x: [1, 1, 3, 2], size: [3, 5] }, // from a single row
];

const cases = resizers.flatMap((r) => flags.flatMap((f) => sizes.map((s) => ({ ...r, ...f, ...s }))));

describe('resize against tf.image', () => {
  it.each(cases)(
    '$op $x -> $size align_corners=$align_corners half_pixel_centers=$half_pixel_centers',
    ({ op, tfResize, x: xs, size, align_corners, half_pixel_centers }) => {
      const x = randomTensor(xs, 61);
      const want = tfResize(toTf(x) as tf.Tensor4D, size, align_corners, half_pixel_centers);
      expectMatches(runTyped(op, [batched(x)], { size, align_corners, half_pixel_centers }), want);
    },
  );
});

describe('resize shape inference', () => {
  const infer = (op: string, x: Shape, attrs: Attrs): string => formatType(inferTyped(op, [{ dtype: 'f32', shape: x }], attrs));

  it.each(resizers)('$op keeps batch and channels', ({ op }) => {
    expect(infer(op, ['N', 4, 5, 3], { size: [8, 10] })).toBe('f32[N,8,10,3]');
  });

  it.each([
    { x: ['N', 4, 5, 3], attrs: {}, error: /missing attribute 'size'/ },
    { x: ['N', 4, 5, 3], attrs: { size: [8] }, error: /size must be 2 integer/ },
    { x: ['N', 4, 5, 3], attrs: { size: [8, 10], align_corners: true, half_pixel_centers: true }, error: /cannot both be true/ },
    { x: ['N', 4, 'N', 3], attrs: { size: [8, 10] }, error: /input width must be a static size/ },
    { x: ['N', 4, 5], attrs: { size: [8, 10] }, error: /x must have rank 4/ },
  ] as { x: Shape; attrs: Attrs; error: RegExp }[])('rejects $x $attrs', ({ x, attrs, error }) => {
    for (const { op } of resizers) {
      expect(() => infer(op, x, attrs)).toThrow(IRError);
      expect(() => infer(op, x, attrs)).toThrow(error);
    }
  });
});
