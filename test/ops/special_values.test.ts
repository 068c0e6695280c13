/**
 * Every op's reference semantics on NaN, ±Inf, ±0, denormals and huge
 * magnitudes, against TF.js (cpu backend) under the policy in docs/OPS.md
 * ("Special values"). Where the policy deviates from TF.js the expected value
 * is computed here by the documented rule, never by the code under test.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allocData, InputMismatchError, interpret, parseGraph, type Attrs, type DType, type Tensor } from '../../compiler/index.js';
import { fromTfTensor, runTyped, toTfTensor } from './oracle.js';
import { compareSpecial, DENORMAL, SPECIAL_VALUES } from './special_values.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tensor = (dtype: DType, shape: number[], values: readonly number[]): Tensor => {
  const data = allocData(dtype, values.length);
  values.forEach((v, i) => (data[i] = v));
  return { dtype, shape, data };
};
const f32 = (shape: number[], values: readonly number[]): Tensor => tensor('f32', shape, values);

function expectSpecial(got: Tensor, want: Tensor | tf.Tensor, zeroSign = false): void {
  const expected = want instanceof tf.Tensor ? fromTfTensor(want) : want;
  expect(compareSpecial(got, expected, { zeroSign })).toBeNull();
}

const layer = (activation: string) => (x: tf.Tensor): tf.Tensor => tf.layers.activation({ activation } as never).apply(x) as tf.Tensor;

interface UnaryCase {
  op: string;
  attrs?: Attrs;
  tf: (x: tf.Tensor) => tf.Tensor;
  /** The policy checks the sign of zero for this op. */
  zeroSign?: boolean;
  /** Inputs left out: where only the evaluation order decides whether an intermediate overflows f32. */
  skip?: readonly number[];
}

const UNARY: UnaryCase[] = [
  { op: 'neg', tf: tf.neg, zeroSign: true },
  { op: 'abs', tf: tf.abs, zeroSign: true },
  { op: 'exp', tf: tf.exp },
  { op: 'log', tf: tf.log },
  { op: 'sqrt', tf: tf.sqrt },
  { op: 'rsqrt', tf: tf.rsqrt },
  { op: 'square', tf: tf.square },
  { op: 'erf', tf: tf.erf },
  { op: 'floor', tf: tf.floor, zeroSign: true },
  { op: 'ceil', tf: tf.ceil },
  { op: 'round', tf: tf.round },
  { op: 'relu', tf: tf.relu, zeroSign: true },
  { op: 'relu6', tf: tf.relu6, zeroSign: true },
  { op: 'elu', tf: tf.elu },
  { op: 'selu', tf: tf.selu },
  { op: 'sigmoid', tf: tf.sigmoid },
  { op: 'hard_sigmoid', tf: layer('hardSigmoid') },
  { op: 'tanh', tf: tf.tanh },
  { op: 'softplus', tf: tf.softplus },
  { op: 'softsign', tf: layer('softsign') },
  { op: 'swish', tf: layer('swish') },
  { op: 'mish', tf: layer('mish') },
  { op: 'gelu', tf: layer('gelu') },
  // TF.js doubles x before halving it, so 3e38 overflows there and not in Keras' 0.5 * x * (...).
  { op: 'gelu', attrs: { approximate: true }, tf: layer('gelu_new'), skip: [3e38, -3e38] },
  { op: 'leaky_relu', tf: (x) => tf.leakyRelu(x, 0.2), zeroSign: true },
  { op: 'leaky_relu', attrs: { alpha: 0.01 }, tf: (x) => tf.leakyRelu(x, 0.01), zeroSign: true },
  { op: 'clip', attrs: { min: 0, max: 6 }, tf: (x) => tf.clipByValue(x, 0, 6), zeroSign: true },
  { op: 'clip', attrs: { min: -1, max: 1 }, tf: (x) => tf.clipByValue(x, -1, 1), zeroSign: true },
  { op: 'cast', attrs: { to: 'bool' }, tf: (x) => tf.cast(x, 'bool') },
];

const specials = f32([SPECIAL_VALUES.length], SPECIAL_VALUES);

describe('unary ops on special values match TF.js', () => {
  it.each(UNARY.map((c) => [`${c.op}${c.attrs ? JSON.stringify(c.attrs) : ''}`, c] as const))('%s', (_name, c) => {
    const values = SPECIAL_VALUES.filter((v) => !c.skip?.includes(v));
    const x = f32([values.length], values);
    expectSpecial(runTyped(c.op, [{ value: x }], c.attrs), c.tf(toTfTensor(x)), c.zeroSign);
  });

  it('relu keeps NaN and gives +0 for -0 (the defect: it returned 0 for NaN)', () => {
    const got = runTyped('relu', [{ value: f32([3], [NaN, -0, -DENORMAL]) }]);
    expect(Number.isNaN(got.data[0])).toBe(true);
    expect(Object.is(got.data[1], 0)).toBe(true);
    expect(Object.is(got.data[2], 0)).toBe(true);
  });

  it('sign is NaN for NaN and +0 for both zeros (DEVIATES: TF.js cpu gives sign(NaN) = 0)', () => {
    const want = SPECIAL_VALUES.map((v) => (Number.isNaN(v) ? NaN : v > 0 ? 1 : v < 0 ? -1 : 0));
    expectSpecial(runTyped('sign', [{ value: specials }]), f32([want.length], want), true);
    const finite = SPECIAL_VALUES.filter((v) => !Number.isNaN(v));
    const x = f32([finite.length], finite);
    expectSpecial(runTyped('sign', [{ value: x }]), tf.sign(toTfTensor(x)), true);
  });

  it('logical_not of a cast: NaN is true', () => {
    const b = runTyped('cast', [{ value: specials }], { to: 'bool' });
    expectSpecial(runTyped('logical_not', [{ value: b }]), tf.logicalNot(tf.cast(toTfTensor(specials), 'bool')));
  });
});

describe('cast f32 -> i32', () => {
  const values = [...SPECIAL_VALUES, 2147483520, 2147483648, 3e9, -3e9, -2147483648, -2147483904, 4294967296 + 512, 2.7, -2.7, -0.7];
  const x = f32([values.length], values);

  it('truncates toward zero like TF.js inside the int32 range', () => {
    const inRange = Array.from(x.data).filter((v) => v > -2147483649 && v < 2147483648);
    const xi = f32([inRange.length], inRange);
    expectSpecial(runTyped('cast', [{ value: xi }], { to: 'i32' }), tf.cast(toTfTensor(xi), 'int32'));
  });

  it('saturates out of range and maps NaN to 0 (DEVIATES: TF.js wraps modulo 2^32)', () => {
    const saturate = (v: number): number => (Number.isNaN(v) ? 0 : Math.min(Math.max(Math.trunc(v), -2147483648), 2147483647));
    const want = tensor('i32', [values.length], Array.from(x.data, saturate));
    expectSpecial(runTyped('cast', [{ value: x }], { to: 'i32' }), want);
    expect(Array.from(runTyped('cast', [{ value: f32([4], [NaN, Infinity, -Infinity, 3e9]) }], { to: 'i32' }).data)).toEqual([
      0, 2147483647, -2147483648, 2147483647,
    ]);
  });
});

/** Every pair of a short list of special values, as two flat tensors. */
function pairs(values: readonly number[]): [Tensor, Tensor] {
  const a: number[] = [];
  const b: number[] = [];
  for (const u of values) for (const v of values) (a.push(u), b.push(v));
  return [f32([a.length], a), f32([b.length], b)];
}

const BINARY: { op: string; tf: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor; zeroSign?: boolean }[] = [
  { op: 'add', tf: tf.add },
  { op: 'sub', tf: tf.sub },
  { op: 'mul', tf: tf.mul, zeroSign: true },
  { op: 'div', tf: tf.div },
  { op: 'pow', tf: tf.pow },
  { op: 'maximum', tf: tf.maximum, zeroSign: true },
  { op: 'minimum', tf: tf.minimum, zeroSign: true },
  { op: 'equal', tf: tf.equal },
  { op: 'not_equal', tf: tf.notEqual },
  { op: 'less', tf: tf.less },
  { op: 'less_equal', tf: tf.lessEqual },
  { op: 'greater', tf: tf.greater },
  { op: 'greater_equal', tf: tf.greaterEqual },
];

describe('binary ops on every pair of special values match TF.js', () => {
  const [a, b] = pairs([NaN, Infinity, -Infinity, -0, 0, DENORMAL, 1, -2.5, 0.5, 3e38, -3e38]);
  it.each(BINARY.map((c) => [c.op, c] as const))('%s', (_op, c) => {
    expectSpecial(runTyped(c.op, [{ value: a }, { value: b }]), c.tf(toTfTensor(a), toTfTensor(b)), c.zeroSign);
  });

  it('select copies the chosen branch, NaN in the other branch ignored', () => {
    const cond = tensor('bool', [4], [1, 0, 1, 0]);
    const x = f32([4], [NaN, NaN, -0, Infinity]);
    const y = f32([4], [1, -Infinity, NaN, -0]);
    const got = runTyped('select', [{ value: cond }, { value: x }, { value: y }]);
    expectSpecial(got, tf.where(toTfTensor(cond), toTfTensor(x), toTfTensor(y)), true);
  });
});

/** Rows that put NaN and infinities first, in the middle and last, with ties and signed zeros. */
const ROWS = [
  [NaN, 1, 2, 3, 4], [1, NaN, 2, 3, 4], [1, 2, 3, 4, NaN], [NaN, NaN, 1, 2, 3],
  [Infinity, 1, 2, 3, 4], [1, 2, -Infinity, 3, 4], [Infinity, -Infinity, 1, 2, 3],
  [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity], [1, 2, Infinity, Infinity, 0],
  [-0, 0, -0, 0, -0], [2, 7, 7, 1, 7], [DENORMAL, -DENORMAL, 0, DENORMAL, -0], [3e38, 3e38, -1e30, 1, 2],
  [-3e38, -1e30, -3e38, 1, -2], [0.5, -0.5, 1.5, -2.5, 100],
];
const rows = f32([ROWS.length, 5], ROWS.flat());

describe('reductions and softmax on rows with special values match TF.js', () => {
  const reductions: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['reduce_max', (x) => tf.max(x, -1)],
    ['reduce_min', (x) => tf.min(x, -1)],
    ['reduce_sum', (x) => tf.sum(x, -1)],
    ['reduce_mean', (x) => tf.mean(x, -1)],
    ['reduce_prod', (x) => tf.prod(x, -1)],
  ];
  it.each(reductions)('%s', (op, f) => {
    expectSpecial(runTyped(op, [{ value: rows }], { axes: [-1] }), f(toTfTensor(rows)));
  });

  it.each([
    ['softmax', tf.softmax],
    ['log_softmax', tf.logSoftmax],
  ] as const)('%s', (op, f) => {
    expectSpecial(runTyped(op, [{ value: rows }], { axis: -1 }), f(toTfTensor(rows) as tf.Tensor2D));
  });

  it('softmax along axis 0 (strided rows) matches TF.js', () => {
    const t = f32([5, ROWS.length], tf.transpose(toTfTensor(rows)).dataSync() as unknown as number[]);
    expectSpecial(runTyped('softmax', [{ value: t }], { axis: 0 }), tf.transpose(tf.softmax(toTfTensor(rows) as tf.Tensor2D)));
  });

  it('argmax: the first NaN wins, else the first maximum (DEVIATES: TF.js cpu skips NaN unless it comes first)', () => {
    const want = ROWS.map((row) => {
      const nan = row.findIndex((v) => Number.isNaN(v));
      return nan >= 0 ? nan : -1;
    });
    const tfArgmax = tf.argMax(toTfTensor(rows), -1).dataSync();
    const expected = tensor('i32', [ROWS.length], want.map((w, i) => (w >= 0 ? w : tfArgmax[i])));
    expectSpecial(runTyped('argmax', [{ value: rows }], { axis: -1 }), expected);
    // On rows without NaN the rule is TF.js's own.
    expect(Array.from(expected.data)).toEqual(want.map((w, i) => (w >= 0 ? w : tfArgmax[i])));
    expect(Array.from(runTyped('argmax', [{ value: f32([1, 4], [1, NaN, 5, NaN]) }], { axis: -1 }).data)).toEqual([1]);
  });

  it('integer reductions and argmax on int32 extremes match TF.js', () => {
    const x = tensor('i32', [2, 3], [-2147483648, 2147483647, 5, 0, -1, -2147483648]);
    expectSpecial(runTyped('reduce_max', [{ value: x }], { axes: [-1] }), tf.max(toTfTensor(x), -1));
    expectSpecial(runTyped('reduce_min', [{ value: x }], { axes: [-1] }), tf.min(toTfTensor(x), -1));
    expectSpecial(runTyped('argmax', [{ value: x }], { axis: -1 }), tf.argMax(toTfTensor(x), -1));
  });
});

/** A [1,4,5,2] image holding NaN, infinities and signed zeros at borders and inside. */
const IMAGE_VALUES = [
  NaN, 1, 2, -3, 4, 5, -0, 0, 6, -7,
  1, 2, Infinity, 3, -1, -2, 0.5, -0.5, 8, 9,
  -Infinity, -Infinity, -Infinity, -Infinity, 2, 3, NaN, 1, 1, 1,
  3e38, 3e38, -1, 2, DENORMAL, 0, 4, -4, Infinity, NaN,
];
const image = f32([1, 4, 5, 2], IMAGE_VALUES);

describe('pooling on special values', () => {
  const configs = [
    { pool: [2, 2], strides: [2, 2], padding: 'valid' },
    { pool: [2, 2], strides: [1, 1], padding: 'same' },
    { pool: [3, 3], strides: [2, 2], padding: 'same' },
  ] as const;

  it.each(configs)('max_pool2d $pool $strides $padding: NaN in a window gives NaN (DEVIATES: TF.js cpu maxPool skips NaN)', (c) => {
    const x = toTfTensor(image) as tf.Tensor4D;
    const pooled = tf.maxPool(x, c.pool as [number, number], c.strides as [number, number], c.padding);
    const anyNaN = tf.maxPool(tf.cast(tf.isNaN(x), 'float32') as tf.Tensor4D, c.pool as [number, number], c.strides as [number, number], c.padding);
    const want = tf.where(tf.greater(anyNaN, 0), tf.fill(pooled.shape, NaN), pooled);
    const attrs = { pool: [...c.pool], strides: [...c.strides], padding: c.padding };
    expectSpecial(runTyped('max_pool2d', [{ value: image }], attrs), want);
  });

  it.each(configs)('avg_pool2d $pool $strides $padding matches TF.js', (c) => {
    const attrs = { pool: [...c.pool], strides: [...c.strides], padding: c.padding };
    const want = tf.avgPool(toTfTensor(image) as tf.Tensor4D, c.pool as [number, number], c.strides as [number, number], c.padding);
    expectSpecial(runTyped('avg_pool2d', [{ value: image }], attrs), want);
  });

  it('max_pool2d over a window of -Inf and padding gives -Inf, never the padding', () => {
    const x = f32([1, 2, 2, 1], [-Infinity, -Infinity, -Infinity, -Infinity]);
    const want = tf.maxPool(toTfTensor(x) as tf.Tensor4D, 3, 1, 'same');
    expectSpecial(runTyped('max_pool2d', [{ value: x }], { pool: [3, 3], strides: [1, 1], padding: 'same' }), want);
  });
});

describe('products, convolutions and normalizations propagate special values like TF.js', () => {
  const weights = (shape: number[], seed: number): Tensor => {
    const n = shape.reduce((p, d) => p * d, 1);
    return f32(shape, Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.7) * 0.5));
  };

  it('matmul', () => {
    const a = f32([4, 5], ROWS.slice(0, 4).flat());
    const b = weights([5, 3], 1);
    expectSpecial(runTyped('matmul', [{ value: a }, { value: b }]), tf.matMul(toTfTensor(a) as tf.Tensor2D, toTfTensor(b) as tf.Tensor2D));
  });

  it.each(['valid', 'same'] as const)('conv2d %s', (padding) => {
    const w = weights([3, 3, 2, 3], 2);
    const want = tf.conv2d(toTfTensor(image) as tf.Tensor4D, toTfTensor(w) as tf.Tensor4D, 1, padding);
    expectSpecial(runTyped('conv2d', [{ value: image }, { value: w }], { padding }), want);
  });

  it('depthwise_conv2d same', () => {
    const w = weights([2, 2, 2, 1], 3);
    const want = tf.depthwiseConv2d(toTfTensor(image) as tf.Tensor4D, toTfTensor(w) as tf.Tensor4D, 1, 'same');
    expectSpecial(runTyped('depthwise_conv2d', [{ value: image }, { value: w }], { padding: 'same' }), want);
  });

  it('conv1d same', () => {
    const x = f32([1, 10, 2], IMAGE_VALUES.slice(0, 20));
    const w = weights([3, 2, 2], 4);
    const want = tf.conv1d(toTfTensor(x) as tf.Tensor3D, toTfTensor(w) as tf.Tensor3D, 1, 'same');
    expectSpecial(runTyped('conv1d', [{ value: x }, { value: w }], { padding: 'same' }), want);
  });

  it.each(['valid', 'same'] as const)('conv2d_transpose %s, strides 2', (padding) => {
    const w = weights([3, 3, 3, 2], 10);
    const outShape: [number, number, number, number] = padding === 'same' ? [1, 8, 10, 3] : [1, 9, 11, 3];
    const want = tf.conv2dTranspose(toTfTensor(image) as tf.Tensor4D, toTfTensor(w) as tf.Tensor4D, outShape, 2, padding);
    expectSpecial(runTyped('conv2d_transpose', [{ value: image }, { value: w }], { strides: [2, 2], padding }), want);
  });

  it('batch_norm', () => {
    const x = f32([3, 5], ROWS.slice(4, 7).flat());
    const [mean, variance, gamma, beta] = [weights([5], 5), f32([5], [1, 2, 0.5, 0, 3]), weights([5], 6), weights([5], 7)];
    const want = tf.batchNorm(toTfTensor(x), toTfTensor(mean), toTfTensor(variance), toTfTensor(beta), toTfTensor(gamma), 0.001);
    expectSpecial(runTyped('batch_norm', [x, mean, variance, gamma, beta].map((value) => ({ value }))), want);
  });

  it('layer_norm', () => {
    const gamma = weights([5], 8);
    const beta = weights([5], 9);
    // Rows of +-3e38 are left out: their variance overflows f32 in TF.js but not in the f64 reference.
    const finiteRows = ROWS.filter((row) => !row.some((v) => Math.abs(v) === 3e38));
    const rowsIn = f32([finiteRows.length, 5], finiteRows.flat());
    const x = toTfTensor(rowsIn);
    const { mean, variance } = tf.moments(x, -1, true);
    const want = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 0.001))), toTfTensor(gamma)), toTfTensor(beta));
    expectSpecial(runTyped('layer_norm', [rowsIn, gamma, beta].map((value) => ({ value }))), want);
  });

  it.each([
    ['resize_bilinear', false, true],
    ['resize_bilinear', true, false],
    ['resize_nearest', false, true],
  ] as const)('%s align_corners=%s half_pixel_centers=%s', (op, alignCorners, halfPixel) => {
    const x = toTfTensor(image) as tf.Tensor4D;
    const size: [number, number] = [7, 9];
    const want =
      op === 'resize_bilinear'
        ? tf.image.resizeBilinear(x, size, alignCorners, halfPixel)
        : tf.image.resizeNearestNeighbor(x, size, alignCorners, halfPixel);
    expectSpecial(runTyped(op, [{ value: image }], { size, align_corners: alignCorners, half_pixel_centers: halfPixel }), want);
  });
});

describe('data movement copies special values bit for bit', () => {
  const x = f32([2, 4], [NaN, -0, Infinity, -Infinity, DENORMAL, -DENORMAL, 0, -3e38]);
  const cases: [string, Attrs, (t: tf.Tensor) => tf.Tensor][] = [
    ['transpose', { perm: [1, 0] }, (t) => tf.transpose(t, [1, 0])],
    ['reverse', { axes: [1] }, (t) => tf.reverse(t, [1])],
    ['slice', { begin: [0, 1], end: [2, 4] }, (t) => tf.slice(t, [0, 1], [2, 3])],
    ['tile', { reps: [2, 1] }, (t) => tf.tile(t, [2, 1])],
    ['pad', { pads: [[1, 0], [0, 1]], value: 0 }, (t) => tf.pad(t, [[1, 0], [0, 1]], 0)],
  ];
  it.each(cases)('%s', (op, attrs, f) => {
    expectSpecial(runTyped(op, [{ value: x }], attrs), f(toTfTensor(x)), true);
  });

  it('concat and broadcast_to', () => {
    expectSpecial(runTyped('concat', [{ value: x }, { value: x }], { axis: 1 }), tf.concat([toTfTensor(x), toTfTensor(x)], 1), true);
    const row = f32([1, 4], [NaN, -0, Infinity, DENORMAL]);
    expectSpecial(runTyped('broadcast_to', [{ value: row }], { shape: [3, 4] }), tf.broadcastTo(toTfTensor(row), [3, 4]), true);
  });
});

describe('gather with indices out of range', () => {
  const table = f32([3, 2], [NaN, -0, 1, 2, Infinity, -Infinity]);

  /** gather(table, ids + shift) {axis}: the indices are computed in the graph, not read from an input. */
  function gatherComputed(ids: Tensor, axis = 0): Tensor {
    const out = axis === 0 ? `[${ids.shape[0]},2]` : `[3,${ids.shape[0]}]`;
    const g = parseGraph(`graph @g(%t: f32[3,2], %ids: i32[${ids.shape[0]}], %shift: i32[]) -> (y: f32${out}) {
  %1 = add(%ids, %shift) : i32[${ids.shape[0]}]
  %2 = gather(%t, %1) {axis=${axis}} : f32${out}
  return %2
}`);
    return interpret(g, [table, ids, tensor('i32', [], [0])])[0];
  }

  it('in-range indices copy rows bit for bit, like TF.js', () => {
    const ids = tensor('i32', [3], [2, 0, 1]);
    expectSpecial(runTyped('gather', [{ value: table }, { value: ids }]), tf.gather(toTfTensor(table), toTfTensor(ids)), true);
    expectSpecial(gatherComputed(ids), tf.gather(toTfTensor(table), toTfTensor(ids)), true);
  });

  it('a computed index past the end or negative selects a row of zeros (DEVIATES: TF.js throws)', () => {
    const ids = tensor('i32', [5], [1, 3, -1, 2147483647, -2147483648]);
    expectSpecial(gatherComputed(ids), f32([5, 2], [1, 2, 0, 0, 0, 0, 0, 0, 0, 0]), true);
  });

  it('along an inner axis', () => {
    const ids = tensor('i32', [2], [5, 1]);
    expectSpecial(gatherComputed(ids, 1), f32([3, 2], [0, -0, 0, 2, 0, -Infinity]), true);
  });

  it('an index read straight from a model input is refused, naming the input', () => {
    const g = parseGraph(`graph @g(%tokens: f32[N,4]) -> (y: f32[N,4,2]) {
  %t = const() {ref="t", dtype="f32", shape=[3,2]} : f32[3,2]
  %1 = cast(%tokens) {to="i32"} : i32[N,4]
  %2 = gather(%t, %1) {axis=0} : f32[N,4,2]
  return %2
}`);
    g.weights.set('t', table);
    expect(() => interpret(g, [f32([1, 4], [0, 2, 1, 0])])).not.toThrow();
    const run = (): Tensor[] => interpret(g, [f32([2, 4], [0, 2, 1, 0, 1, 7, 0, 0])]);
    expect(run).toThrow(InputMismatchError);
    expect(run).toThrow("input 0 'tokens' holds 7 at element 5, but it indexes a table of 3 rows (an Embedding's input_dim): every value must be in [0, 3)");
    expect(() => interpret(g, [f32([1, 4], [0, NaN, -1, 0])])).toThrow(/holds -1 at element 2/);
  });
});
