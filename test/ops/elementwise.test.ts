import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IRError, type Attrs, type DType, type Shape, type Tensor } from '../../compiler/index.js';
import { erf } from '../../compiler/ops/elementwise/math.js';
import { expectMatches, inferTyped, runTyped, toTfTensor } from './oracle.js';
import { randomTensor, type RandomOptions } from './random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type TfUnary = (x: tf.Tensor) => tf.Tensor;

interface UnaryCase {
  op: string;
  tf: TfUnary;
  attrs?: Attrs;
  /** Input range (default [-6, 6], past the saturating regions of the activations). */
  range?: RandomOptions;
  dtype?: DType;
}

const sigmoidTf: TfUnary = (x) => tf.sigmoid(x);
const softplusTf: TfUnary = (x) => tf.softplus(x);

const UNARY: UnaryCase[] = [
  { op: 'neg', tf: tf.neg },
  { op: 'abs', tf: tf.abs },
  { op: 'exp', tf: tf.exp, range: { min: -5, max: 5 } },
  { op: 'log', tf: tf.log, range: { min: 0.01, max: 10 } },
  { op: 'sqrt', tf: tf.sqrt, range: { min: 0, max: 10 } },
  { op: 'rsqrt', tf: tf.rsqrt, range: { min: 0.01, max: 10 } },
  { op: 'square', tf: tf.square },
  { op: 'erf', tf: tf.erf, range: { min: -4, max: 4 } },
  { op: 'floor', tf: tf.floor },
  { op: 'ceil', tf: tf.ceil },
  { op: 'round', tf: tf.round },
  { op: 'sign', tf: tf.sign },
  { op: 'relu', tf: tf.relu },
  { op: 'relu6', tf: tf.relu6, range: { min: -9, max: 9 } },
  { op: 'elu', tf: tf.elu },
  { op: 'elu', attrs: { alpha: 0.5 }, tf: (x) => tf.where(tf.greater(x, 0), x, tf.mul(0.5, tf.sub(tf.exp(x), 1))) },
  { op: 'selu', tf: tf.selu },
  { op: 'sigmoid', tf: sigmoidTf, range: { min: -20, max: 20 } },
  { op: 'hard_sigmoid', tf: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1) },
  { op: 'tanh', tf: tf.tanh },
  { op: 'softplus', tf: softplusTf, range: { min: -20, max: 20 } },
  { op: 'log_sigmoid', tf: tf.logSigmoid, range: { min: -20, max: 20 } },
  { op: 'softsign', tf: (x) => tf.div(x, tf.add(1, tf.abs(x))) },
  { op: 'swish', tf: (x) => tf.mul(x, sigmoidTf(x)) },
  { op: 'mish', tf: (x) => tf.mul(x, tf.tanh(softplusTf(x))) },
  { op: 'gelu', tf: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))) },
  {
    op: 'gelu',
    attrs: { approximate: true },
    tf: (x) => {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    },
  },
  { op: 'leaky_relu', tf: (x) => tf.leakyRelu(x, 0.2) },
  { op: 'leaky_relu', attrs: { alpha: 0.05 }, tf: (x) => tf.leakyRelu(x, 0.05) },
  { op: 'clip', attrs: { min: -1, max: 2.5 }, tf: (x) => tf.clipByValue(x, -1, 2.5) },
  { op: 'identity', tf: (x) => x },
  { op: 'dropout', attrs: { rate: 0.3 }, tf: (x) => x },
  // i32 forms
  ...(['neg', 'abs', 'square', 'sign', 'relu'] as const).map(
    (op): UnaryCase => ({ op, dtype: 'i32', range: { min: -50, max: 50 }, tf: tf[op] as TfUnary }),
  ),
  { op: 'identity', dtype: 'bool', tf: (x) => x },
  { op: 'logical_not', dtype: 'bool', tf: tf.logicalNot },
  // casts
  { op: 'cast', attrs: { to: 'i32' }, tf: (x) => tf.cast(x, 'int32') },
  { op: 'cast', attrs: { to: 'bool' }, range: { min: -2, max: 2, dtype: 'i32' }, tf: (x) => tf.cast(x, 'bool') },
  { op: 'cast', attrs: { to: 'f32' }, range: { min: -100, max: 100, dtype: 'i32' }, tf: (x) => tf.cast(x, 'float32') },
  { op: 'cast', attrs: { to: 'f32' }, dtype: 'bool', tf: (x) => tf.cast(x, 'float32') },
  { op: 'cast', attrs: { to: 'i32' }, dtype: 'bool', tf: (x) => tf.cast(x, 'int32') },
];

/** Shapes each unary op runs on: declared type (maybe with N) and the concrete shape. */
const UNARY_SHAPES: { declared?: Shape; shape: number[] }[] = [
  { shape: [] },
  { shape: [7] },
  { shape: [3, 5, 7] },
  { declared: ['N', 4, 3], shape: [2, 4, 3] },
];

function label(c: { op: string; attrs?: Attrs; dtype?: DType; range?: RandomOptions }): string {
  const dtype = c.dtype ?? c.range?.dtype ?? 'f32';
  return `${c.op}${c.attrs ? JSON.stringify(c.attrs) : ''} ${dtype}`;
}

describe('unary elementwise ops match tfjs', () => {
  it.each(UNARY.map((c) => [label(c), c] as const))('%s', (_name, c) => {
    UNARY_SHAPES.forEach(({ declared, shape }, k) => {
      const x = randomTensor(shape, 11 + k, { min: -6, max: 6, ...c.range, dtype: c.dtype ?? c.range?.dtype });
      const got = runTyped(c.op, [{ value: x, shape: declared }], c.attrs);
      expectMatches(got, c.tf(toTfTensor(x)));
    });
  });

  it('round ties to even and floor/ceil/sign handle exact values', () => {
    const x: Tensor = { dtype: 'f32', shape: [9], data: Float32Array.of(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0, -0, 3.5) };
    for (const op of ['round', 'floor', 'ceil', 'sign'] as const) {
      expectMatches(runTyped(op, [{ value: x }]), tf[op](toTfTensor(x)));
    }
  });

  it('sigmoid, softplus, swish and mish stay finite far out', () => {
    const x: Tensor = { dtype: 'f32', shape: [6], data: Float32Array.of(-1000, -100, -30, 30, 100, 1000) };
    for (const op of ['sigmoid', 'softplus', 'swish', 'mish']) {
      const y = runTyped(op, [{ value: x }]);
      expect(Array.from(y.data).every(Number.isFinite), op).toBe(true);
    }
    expectMatches(runTyped('sigmoid', [{ value: x }]), tf.sigmoid(toTfTensor(x)));
    expectMatches(runTyped('softplus', [{ value: x }]), tf.softplus(toTfTensor(x)));
  });

  it('erf is accurate to 1e-12 against reference values', () => {
    // Reference values from CPython math.erf (correctly rounded to double).
    const known: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [2.5, 0.9995930479825550],
      [2.999, 0.9999777698314002],
      [3, 0.9999779095030014],
      [3.5, 0.9999992569016276],
      [5, 0.9999999999984626],
    ];
    for (const [x, want] of known) {
      expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThan(1e-12);
      expect(Math.abs(erf(-x) + want), `erf(${-x})`).toBeLessThan(1e-12);
    }
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
  });
});

type TfBinary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

interface BinaryCase {
  op: string;
  tf: TfBinary;
  a?: RandomOptions;
  b?: RandomOptions;
}

const INTEGRAL: RandomOptions = { min: -3, max: 3, dtype: 'i32' };
const BOOL: RandomOptions = { dtype: 'bool' };

const BINARY: BinaryCase[] = [
  { op: 'add', tf: tf.add },
  { op: 'sub', tf: tf.sub },
  { op: 'mul', tf: tf.mul },
  { op: 'div', tf: tf.div },
  { op: 'pow', tf: tf.pow, a: { min: 0.1, max: 3 }, b: { min: -2, max: 2 } },
  { op: 'maximum', tf: tf.maximum },
  { op: 'minimum', tf: tf.minimum },
  { op: 'add', tf: tf.add, a: INTEGRAL, b: INTEGRAL },
  { op: 'sub', tf: tf.sub, a: INTEGRAL, b: INTEGRAL },
  { op: 'mul', tf: tf.mul, a: INTEGRAL, b: INTEGRAL },
  { op: 'maximum', tf: tf.maximum, a: INTEGRAL, b: INTEGRAL },
  { op: 'minimum', tf: tf.minimum, a: INTEGRAL, b: INTEGRAL },
  // Comparisons on small integers so that ties occur.
  ...(
    [
      ['equal', tf.equal],
      ['not_equal', tf.notEqual],
      ['less', tf.less],
      ['less_equal', tf.lessEqual],
      ['greater', tf.greater],
      ['greater_equal', tf.greaterEqual],
    ] as const
  ).flatMap(([op, fn]): BinaryCase[] => [
    { op, tf: fn, a: INTEGRAL, b: INTEGRAL },
    { op, tf: (a, b) => fn(a, b), a: { min: -2, max: 2 }, b: { min: -2, max: 2 } },
  ]),
  { op: 'equal', tf: tf.equal, a: BOOL, b: BOOL },
  { op: 'logical_and', tf: tf.logicalAnd, a: BOOL, b: BOOL },
  { op: 'logical_or', tf: tf.logicalOr, a: BOOL, b: BOOL },
];

/** Operand shape pairs: same shapes, broadcasting, scalars, rank mismatch, and `N`. */
const BINARY_SHAPES: { a: number[]; b: number[]; declaredA?: Shape; declaredB?: Shape }[] = [
  { a: [3, 5, 7], b: [3, 5, 7] },
  { a: [2, 1, 5], b: [4, 1] },
  { a: [], b: [3, 4] },
  { a: [4, 1], b: [] },
  { a: [5], b: [2, 3, 5] },
  { a: [3, 1, 5], b: [4, 1], declaredA: ['N', 1, 5] },
  { a: [3, 6], b: [3, 6], declaredA: ['N', 6], declaredB: ['N', 6] },
  { a: [1, 6], b: [2, 6], declaredB: ['N', 6] },
];

describe('binary elementwise ops match tfjs', () => {
  it.each(BINARY.map((c) => [label({ op: c.op, range: c.a }), c] as const))('%s', (_name, c) => {
    BINARY_SHAPES.forEach((s, k) => {
      const a = randomTensor(s.a, 101 + k, c.a);
      const b = randomTensor(s.b, 201 + k, c.b);
      const got = runTyped(c.op, [
        { value: a, shape: s.declaredA },
        { value: b, shape: s.declaredB },
      ]);
      expectMatches(got, c.tf(toTfTensor(a), toTfTensor(b)));
    });
  });

  it('f32 comparisons see ties', () => {
    const a: Tensor = { dtype: 'f32', shape: [4], data: Float32Array.of(1, 2, -0, 0.5) };
    const b: Tensor = { dtype: 'f32', shape: [4], data: Float32Array.of(1, 3, 0, 0.25) };
    for (const [op, fn] of [
      ['equal', tf.equal],
      ['less_equal', tf.lessEqual],
      ['greater_equal', tf.greaterEqual],
    ] as const) {
      expectMatches(runTyped(op, [{ value: a }, { value: b }]), fn(toTfTensor(a), toTfTensor(b)));
    }
  });
});

describe('select', () => {
  const SHAPES: { c: number[]; a: number[]; b: number[]; declaredC?: Shape }[] = [
    { c: [3, 5, 7], a: [3, 5, 7], b: [3, 5, 7] },
    { c: [2, 1, 5], a: [4, 1], b: [] },
    { c: [], a: [3, 4], b: [4] },
    { c: [3, 4, 1], a: [1, 1, 6], b: [6], declaredC: ['N', 4, 1] },
  ];
  it.each(SHAPES.map((s) => [JSON.stringify(s), s] as const))('matches tf.where for %s', (_name, s) => {
    for (const dtype of ['f32', 'i32'] as const) {
      const c = randomTensor(s.c, 1, { dtype: 'bool' });
      const a = randomTensor(s.a, 2, { dtype, min: -9, max: 9 });
      const b = randomTensor(s.b, 3, { dtype, min: -9, max: 9 });
      const got = runTyped('select', [{ value: c, shape: s.declaredC }, { value: a }, { value: b }]);
      expectMatches(got, tf.where(toTfTensor(c), toTfTensor(a), toTfTensor(b)));
    }
  });
});

describe('elementwise shape inference', () => {
  const f32 = (...shape: Shape) => ({ dtype: 'f32' as const, shape });
  it.each([
    ['add', [f32('N', 1, 5), f32(4, 1)], {}, ['N', 4, 5]],
    ['add', [f32('N', 3), f32('N', 1)], {}, ['N', 3]],
    ['mul', [f32(1, 3), f32('N', 3)], {}, ['N', 3]],
    ['greater', [f32('N', 3), f32()], {}, ['N', 3]],
    ['relu', [f32('N', 2, 2)], {}, ['N', 2, 2]],
  ] as const)('%s %j', (op, operands, attrs, shape) => {
    expect(inferTyped(op, operands.map((t) => ({ ...t, shape: [...t.shape] })), attrs).shape).toEqual(shape);
  });

  it('gives bool for comparisons and the cast target for cast', () => {
    expect(inferTyped('less', [f32(2), f32(2)]).dtype).toBe('bool');
    expect(inferTyped('cast', [f32(2)], { to: 'i32' }).dtype).toBe('i32');
  });

  const i32 = (...shape: Shape) => ({ dtype: 'i32' as const, shape });
  const bool = (...shape: Shape) => ({ dtype: 'bool' as const, shape });
  it.each([
    ['add', [f32(2), i32(2)], {}, /dtypes differ/],
    ['add', [f32(2, 3), f32(4)], {}, /do not broadcast/],
    ['add', [f32('N', 3), f32(5, 3)], {}, /do not broadcast/],
    ['sqrt', [i32(3)], {}, /must be f32/],
    ['div', [i32(3), i32(3)], {}, /must be f32/],
    ['logical_and', [f32(2), f32(2)], {}, /must be bool/],
    ['less', [bool(2), bool(2)], {}, /must be f32 or i32/],
    ['select', [f32(2), f32(2), f32(2)], {}, /condition must be bool/],
    ['select', [bool(2), f32(2), i32(2)], {}, /different dtypes/],
    ['select', [bool(3), f32(2), f32(2)], {}, /do not broadcast/],
    ['clip', [f32(2)], { min: 2, max: 1 }, /reversed/],
    ['clip', [f32(2)], { min: 0 }, /missing attribute 'max'/],
    ['dropout', [f32(2)], { rate: 1 }, /rate must be in/],
    ['elu', [f32(2)], { beta: 1 }, /unknown attribute/],
    ['cast', [f32(2)], { to: 'f64' }, /dtype/],
  ] as const)('rejects %s %j %j', (op, operands, attrs, message) => {
    const build = () => inferTyped(op, operands.map((t) => ({ ...t, shape: [...t.shape] })), attrs);
    expect(build).toThrow(IRError);
    expect(build).toThrow(message);
  });
});

describe('elementwise op definitions', () => {
  it('mark their elementwise kind', async () => {
    const { getOp } = await import('../../compiler/index.js');
    expect(getOp('gelu').elementwise).toBe('unary');
    expect(getOp('dropout').elementwise).toBe('unary');
    expect(getOp('pow').elementwise).toBe('binary');
    expect(getOp('select').elementwise).toBe('ternary');
  });
});
