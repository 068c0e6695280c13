import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IRError, formatType, type Attrs, type Shape, type Tensor } from '../../compiler/index.js';
import { asDilatedConv2d } from '../../compiler/ops/conv/transpose.js';
import { randomTensor } from './random.js';
import { expectMatches, inferTyped, runTyped, toTfTensor as toTf, type Operand } from './oracle.js';

/** An operand whose leading axis is declared as the symbolic batch N. */
const batched = (value: Tensor): Operand => ({ value, shape: ['N', ...value.shape.slice(1)] });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Pair = [number, number];
type Pads = [Pair, Pair];

interface Conv2dCase {
  name: string;
  x: number[];
  w: number[];
  strides?: Pair;
  dilations?: Pair;
  padding?: 'valid' | 'same';
}

const conv2dCases: Conv2dCase[] = [
  { name: 'valid 3x3', x: [2, 11, 12, 3], w: [3, 3, 3, 5] },
  { name: 'same 3x3', x: [2, 11, 12, 3], w: [3, 3, 3, 5], padding: 'same' },
  { name: 'same stride 2, asymmetric padding', x: [1, 11, 12, 3], w: [3, 3, 3, 4], strides: [2, 2], padding: 'same' },
  { name: 'valid stride 2', x: [1, 11, 12, 3], w: [3, 3, 3, 4], strides: [2, 2] },
  { name: 'same strides (2,1)', x: [2, 11, 12, 3], w: [3, 3, 3, 4], strides: [2, 1], padding: 'same' },
  { name: 'same even kernel 2x2', x: [1, 11, 12, 3], w: [2, 2, 3, 4], padding: 'same' },
  { name: 'same non-square kernel 2x5', x: [1, 9, 10, 2], w: [2, 5, 2, 3], padding: 'same' },
  { name: 'valid non-square kernel 4x1 stride 2', x: [1, 9, 10, 2], w: [4, 1, 2, 3], strides: [2, 2] },
  { name: 'same dilation 2', x: [1, 11, 12, 3], w: [3, 3, 3, 4], dilations: [2, 2], padding: 'same' },
  { name: 'valid dilation (2,1)', x: [2, 11, 12, 3], w: [3, 3, 3, 4], dilations: [2, 1] },
  { name: 'same dilation (2,1), even kernel', x: [1, 9, 10, 3], w: [2, 4, 3, 2], dilations: [2, 1], padding: 'same' },
  { name: '1x1 pointwise', x: [3, 5, 4, 6], w: [1, 1, 6, 7] },
  { name: 'MNIST first layer', x: [2, 28, 28, 1], w: [3, 3, 1, 8] },
];

const explicitCases: { name: string; x: number[]; w: number[]; pads: Pads; strides?: Pair }[] = [
  { name: 'symmetric 1', x: [1, 9, 10, 3], w: [3, 3, 3, 4], pads: [[1, 1], [1, 1]] },
  { name: 'asymmetric, stride 2', x: [2, 9, 10, 2], w: [3, 2, 2, 3], pads: [[0, 2], [3, 1]], strides: [2, 2] },
];

function windowAttrs(c: { strides?: Pair; dilations?: Pair; padding?: string }): Attrs {
  return { strides: c.strides ?? [1, 1], dilations: c.dilations ?? [1, 1], padding: c.padding ?? 'valid' };
}

describe('conv2d against tf.conv2d', () => {
  it.each(conv2dCases)('$name: x $x, w $w', (c) => {
    const x = randomTensor(c.x, 11);
    const w = randomTensor(c.w, 12);
    const want = tf.conv2d(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, c.strides ?? 1, c.padding ?? 'valid', 'NHWC', c.dilations ?? 1);
    expectMatches(runTyped('conv2d', [batched(x), { value: w }], windowAttrs(c)), want);
  });

  it.each(explicitCases)('explicit pads $name: pad, then valid', ({ x: xs, w: ws, pads, strides = [1, 1] }) => {
    const x = randomTensor(xs, 13);
    const w = randomTensor(ws, 14);
    const padded = tf.pad(toTf(x), [[0, 0], ...pads, [0, 0]]) as tf.Tensor4D;
    const want = tf.conv2d(padded, toTf(w) as tf.Tensor4D, strides, 'valid');
    expectMatches(runTyped('conv2d', [batched(x), { value: w }], { strides, padding: 'explicit', pads }), want);
  });
});

describe('depthwise_conv2d against tf.depthwiseConv2d', () => {
  const cases: Conv2dCase[] = [
    { name: 'valid, multiplier 1', x: [2, 9, 10, 4], w: [3, 3, 4, 1] },
    { name: 'same stride 2, multiplier 2', x: [1, 9, 10, 4], w: [3, 3, 4, 2], strides: [2, 2], padding: 'same' },
    { name: 'same non-square kernel, multiplier 2', x: [2, 9, 10, 3], w: [2, 5, 3, 2], padding: 'same' },
    { name: 'valid dilation 2', x: [1, 11, 12, 3], w: [3, 3, 3, 2], dilations: [2, 2] },
    { name: 'same strides (2,1)', x: [1, 11, 12, 2], w: [3, 2, 2, 3], strides: [2, 1], padding: 'same' },
  ];
  it.each(cases)('$name: x $x, w $w', (c) => {
    const x = randomTensor(c.x, 21);
    const w = randomTensor(c.w, 22);
    const want = tf.depthwiseConv2d(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, c.strides ?? 1, c.padding ?? 'valid', 'NHWC', c.dilations ?? 1);
    expectMatches(runTyped('depthwise_conv2d', [batched(x), { value: w }], windowAttrs(c)), want);
  });

  it('explicit pads: pad, then valid', () => {
    const x = randomTensor([1, 9, 10, 3], 23);
    const w = randomTensor([3, 3, 3, 2], 24);
    const pads: Pads = [[2, 0], [1, 2]];
    const want = tf.depthwiseConv2d(tf.pad(toTf(x), [[0, 0], ...pads, [0, 0]]) as tf.Tensor4D, toTf(w) as tf.Tensor4D, 1, 'valid');
    expectMatches(runTyped('depthwise_conv2d', [batched(x), { value: w }], { padding: 'explicit', pads }), want);
  });
});

describe('conv1d against tf.conv1d', () => {
  const cases: { name: string; x: number[]; w: number[]; stride?: number; dilation?: number; padding?: 'valid' | 'same' }[] = [
    { name: 'valid', x: [2, 20, 3], w: [3, 3, 5] },
    { name: 'same', x: [2, 20, 3], w: [3, 3, 5], padding: 'same' },
    { name: 'valid stride 2', x: [1, 20, 3], w: [4, 3, 2], stride: 2 },
    { name: 'same stride 2, odd length', x: [1, 19, 3], w: [4, 3, 2], stride: 2, padding: 'same' },
    { name: 'same dilation 2', x: [2, 20, 3], w: [3, 3, 4], dilation: 2, padding: 'same' },
  ];
  it.each(cases)('$name: x $x, w $w', (c) => {
    const x = randomTensor(c.x, 31);
    const w = randomTensor(c.w, 32);
    const want = tf.conv1d(toTf(x) as tf.Tensor3D, toTf(w) as tf.Tensor3D, c.stride ?? 1, c.padding ?? 'valid', 'NWC', c.dilation ?? 1);
    const attrs = { stride: c.stride ?? 1, dilation: c.dilation ?? 1, padding: c.padding ?? 'valid' };
    expectMatches(runTyped('conv1d', [batched(x), { value: w }], attrs), want);
  });

  it.each([
    { k: 3, stride: 1, dilation: 1 },
    { k: 3, stride: 1, dilation: 2 },
    { k: 2, stride: 2, dilation: 1 },
  ])('causal k=$k stride=$stride dilation=$dilation: left pad (k-1)*dilation, then valid', ({ k, stride, dilation }) => {
    const x = randomTensor([2, 15, 3], 33);
    const w = randomTensor([k, 3, 4], 34);
    const padded = tf.pad(toTf(x), [[0, 0], [(k - 1) * dilation, 0], [0, 0]]) as tf.Tensor3D;
    const want = tf.conv1d(padded, toTf(w) as tf.Tensor3D, stride, 'valid', 'NWC', dilation);
    expectMatches(runTyped('conv1d', [batched(x), { value: w }], { stride, dilation, padding: 'causal' }), want);
  });

  it('explicit pads: pad, then valid', () => {
    const x = randomTensor([1, 12, 2], 35);
    const w = randomTensor([3, 2, 3], 36);
    const want = tf.conv1d(tf.pad(toTf(x), [[0, 0], [1, 3], [0, 0]]) as tf.Tensor3D, toTf(w) as tf.Tensor3D, 1, 'valid');
    expectMatches(runTyped('conv1d', [batched(x), { value: w }], { padding: 'explicit', pads: [1, 3] }), want);
  });
});

interface TransposeCase {
  name: string;
  x: number[];
  w: number[];
  strides: Pair;
  padding: 'valid' | 'same';
}

const transposeCases: TransposeCase[] = [
  { name: 'same stride 2', x: [2, 5, 4, 3], w: [3, 3, 6, 3], strides: [2, 2], padding: 'same' },
  { name: 'valid strides (1,2)', x: [1, 5, 4, 3], w: [3, 3, 4, 3], strides: [1, 2], padding: 'valid' },
  { name: 'valid even kernel stride 2', x: [1, 5, 4, 2], w: [4, 2, 3, 2], strides: [2, 2], padding: 'valid' },
  { name: 'same even kernel stride 2', x: [1, 5, 4, 2], w: [4, 4, 3, 2], strides: [2, 2], padding: 'same' },
  { name: 'same stride 1', x: [2, 5, 4, 3], w: [3, 2, 2, 3], strides: [1, 1], padding: 'same' },
  { name: 'same kernel smaller than stride', x: [1, 4, 3, 2], w: [1, 2, 2, 2], strides: [2, 3], padding: 'same' },
];

/** Keras' Conv2DTranspose of x by w as TF.js computes it (the output size is Keras' rule for the padding). */
function tfConv2dTranspose(x: Tensor, w: Tensor, { strides, padding }: TransposeCase): tf.Tensor4D {
  const [n, h, wd] = x.shape;
  const [kh, kw, f] = w.shape;
  const outShape: [number, number, number, number] =
    padding === 'same' ? [n, h * strides[0], wd * strides[1], f] : [n, (h - 1) * strides[0] + kh, (wd - 1) * strides[1] + kw, f];
  return tf.conv2dTranspose(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, outShape, strides, padding);
}

describe('conv2d_transpose against tf.conv2dTranspose', () => {
  it.each(transposeCases)('$name: x $x, w $w', (c) => {
    const x = randomTensor(c.x, 41);
    const w = randomTensor(c.w, 42);
    expectMatches(runTyped('conv2d_transpose', [batched(x), { value: w }], { strides: c.strides, padding: c.padding }), tfConv2dTranspose(x, w, c));
  });
});

describe('conv2d with input_dilations (the canonical form of conv2d_transpose)', () => {
  /** x [n,h,w,c] with (dh-1) zero rows and (dw-1) zero columns between its pixels, as tf tensors see it. */
  const dilate = (x: Tensor, [dh, dw]: Pair): tf.Tensor4D => {
    const [n, h, w, c] = x.shape;
    const [oh, ow] = [(h - 1) * dh + 1, (w - 1) * dw + 1];
    const out = new Float32Array(n * oh * ow * c);
    for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let k = 0; k < c; k++) {
      out[((b * oh + y * dh) * ow + xx * dw) * c + k] = x.data[((b * h + y) * w + xx) * c + k];
    }
    return tf.tensor4d(out, [n, oh, ow, c]);
  };

  it('matches tf.conv2d over the zero-dilated, padded input (stride, filter dilation, input dilation)', () => {
    const x = randomTensor([2, 4, 5, 3], 51);
    const w = randomTensor([3, 2, 3, 4], 52);
    const pads: Pads = [[2, 1], [0, 3]];
    const attrs = { strides: [1, 1], dilations: [1, 2], padding: 'explicit', pads, input_dilations: [2, 3] };
    const padded = tf.pad(dilate(x, [2, 3]), [[0, 0], ...pads, [0, 0]]) as tf.Tensor4D;
    const want = tf.conv2d(padded, toTf(w) as tf.Tensor4D, 1, 'valid', 'NHWC', [1, 2]);
    expectMatches(runTyped('conv2d', [batched(x), { value: w }], attrs), want);
  });

  it('matches tf.conv2d over the zero-dilated input with strides', () => {
    const x = randomTensor([1, 5, 4, 2], 55);
    const w = randomTensor([3, 3, 2, 3], 56);
    const attrs = { strides: [2, 3], padding: 'same', input_dilations: [3, 2] };
    const want = tf.conv2d(dilate(x, [3, 2]), toTf(w) as tf.Tensor4D, [2, 3], 'same');
    expectMatches(runTyped('conv2d', [batched(x), { value: w }], attrs), want);
  });

  it.each(transposeCases)('asDilatedConv2d of conv2d_transpose $name matches tf.conv2dTranspose', (c) => {
    const x = randomTensor(c.x, 53);
    const w = randomTensor(c.w, 54);
    const attrs = { strides: c.strides, padding: c.padding };
    const { conv2d, flip } = asDilatedConv2d({ dtype: 'f32', shape: ['N', ...c.x.slice(1)] }, { dtype: 'f32', shape: c.w }, attrs);
    const flipped = tf.reverse(tf.transpose(toTf(w), flip.perm), flip.axes);
    const filter: Tensor = { dtype: 'f32', shape: flipped.shape, data: flipped.dataSync() as Float32Array };
    expectMatches(runTyped('conv2d', [batched(x), { value: filter }], conv2d), tfConv2dTranspose(x, w, c));
  });
});

describe('conv shape inference', () => {
  const infer = (op: string, x: Shape, w: Shape, attrs: Attrs = {}): string =>
    formatType(inferTyped(op, [{ dtype: 'f32', shape: x }, { dtype: 'f32', shape: w }], attrs));

  it.each([
    { op: 'conv2d', x: ['N', 28, 28, 1], w: [3, 3, 1, 32], attrs: {}, want: 'f32[N,26,26,32]' },
    { op: 'conv2d', x: ['N', 11, 12, 3], w: [3, 4, 3, 8], attrs: { strides: [2, 1], padding: 'same' }, want: 'f32[N,6,12,8]' },
    { op: 'conv2d', x: ['N', 11, 12, 3], w: [3, 3, 3, 8], attrs: { dilations: [2, 1] }, want: 'f32[N,7,10,8]' },
    { op: 'depthwise_conv2d', x: ['N', 9, 10, 4], w: [3, 3, 4, 2], attrs: { strides: [2, 2], padding: 'same' }, want: 'f32[N,5,5,8]' },
    { op: 'conv1d', x: ['N', 20, 3], w: [3, 3, 8], attrs: { dilation: 2, padding: 'causal' }, want: 'f32[N,20,8]' },
    { op: 'conv1d', x: ['N', 20, 3], w: [3, 3, 8], attrs: { stride: 2 }, want: 'f32[N,9,8]' },
    { op: 'conv2d_transpose', x: ['N', 5, 4, 3], w: [3, 3, 6, 3], attrs: { strides: [2, 2], padding: 'same' }, want: 'f32[N,10,8,6]' },
    { op: 'conv2d_transpose', x: ['N', 5, 4, 3], w: [3, 3, 6, 3], attrs: { strides: [1, 2] }, want: 'f32[N,7,9,6]' },
  ] as { op: string; x: Shape; w: Shape; attrs: Attrs; want: string }[])('$op $x * $w $attrs -> $want', ({ op, x, w, attrs, want }) => {
    expect(infer(op, x, w, attrs)).toBe(want);
  });

  it.each([
    { op: 'conv2d', x: ['N', 8, 8, 3], w: [3, 3, 4, 8], attrs: {}, error: /input channels differ.*f32\[N,8,8,3\].*f32\[3,3,4,8\]/ },
    { op: 'depthwise_conv2d', x: ['N', 8, 8, 3], w: [3, 3, 2, 2], attrs: {}, error: /input channels differ.*f32\[N,8,8,3\].*f32\[3,3,2,2\]/ },
    { op: 'conv1d', x: ['N', 8, 3], w: [3, 2, 8], attrs: {}, error: /input channels differ.*f32\[N,8,3\].*f32\[3,2,8\]/ },
    { op: 'conv2d_transpose', x: ['N', 5, 4, 3], w: [3, 3, 3, 6], attrs: {}, error: /input channels differ.*f32\[N,5,4,3\].*f32\[3,3,3,6\]/ },
    { op: 'conv2d', x: ['N', 'N', 8, 3], w: [3, 3, 3, 8], attrs: {}, error: /input height must be a static size/ },
    { op: 'conv2d', x: [1, 8, 8, 3], w: [3, 'N', 3, 8], attrs: {}, error: /kernel width must be a static size/ },
    { op: 'conv2d', x: ['N', 4, 8, 3], w: [5, 3, 3, 8], attrs: {}, error: /height: window of 5/ },
    { op: 'conv2d', x: ['N', 8, 8, 3], w: [3, 3, 3, 8], attrs: { strides: [0, 1] }, error: /strides must be 2 integer/ },
    { op: 'conv2d', x: ['N', 8, 8, 3], w: [3, 3, 3, 8], attrs: { padding: 'same', pads: [[1, 1], [0, 0]] }, error: /only used with padding "explicit"/ },
    { op: 'conv2d', x: ['N', 8, 8], w: [3, 3, 3, 8], attrs: {}, error: /x must have rank 4/ },
    { op: 'conv1d', x: ['N', 8, 3], w: [3, 3, 8], attrs: { padding: 'causal', pads: [1, 0] }, error: /only used with padding "explicit"/ },
  ] as { op: string; x: Shape; w: Shape; attrs: Attrs; error: RegExp }[])('$op rejects x $x, w $w $attrs', ({ op, x, w, attrs, error }) => {
    expect(() => infer(op, x, w, attrs)).toThrow(IRError);
    expect(() => infer(op, x, w, attrs)).toThrow(error);
  });

  it('rejects an unknown padding mode', () => {
    expect(() => infer('conv2d', ['N', 8, 8, 3], [3, 3, 3, 8], { padding: 'causal' })).toThrow(/padding.*"valid", "same", "explicit"/);
  });
});
