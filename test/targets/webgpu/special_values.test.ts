/**
 * NaN, +-Inf, +-0, subnormals and huge magnitudes through every kind of
 * WebGPU kernel, against the reference interpreter, which holds the
 * special-values policy (docs/OPS.md, "Special values"): every elementwise
 * op and fused chains in two fused kernels, GEMM / convolution / depthwise
 * epilogues (bias, activation, residual), max and average pooling,
 * reductions over short and long rows, softmax / log_softmax, argmax,
 * cast f32 -> i32, gather with indices out of range, data movement,
 * resize, layer_norm / batch_norm and a batched matmul. Special values sit
 * at other positions in every batch item (batch 1 and 3).
 *
 * The rule (test/ops/special_values.ts): NaN exactly where the reference
 * is NaN, the same infinities, exact i32 results, the conformance tolerance
 * for the rest; the sign of a zero only for the ops whose policy fixes it.
 * WGSL lets a GPU flush subnormals to zero, so they are fed only to ops
 * continuous at 0.
 * Ops are batched into few graphs: every kernel is a pipeline to create.
 */
import { expect, it } from 'vitest';
import type { Attrs } from '../../../compiler/ir/attrs.js';
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import type { Graph, Value } from '../../../compiler/ir/graph.js';
import { f32, tensor, type Tensor } from '../../../compiler/ir/tensor.js';
import type { Shape, TensorType } from '../../../compiler/ir/types.js';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { describeGpu, randomValues } from './check.js';
import { batchOf, fusedGraph, rotated, specialProblems } from './special_check.js';

/** Special values and large magnitudes, no subnormals. */
const SPECIALS = [
  NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, -2.5, 3.4e38, -3.4e38, 1e30, -1e30, 1e20, -1e20, 88.8, -88.8,
  104, -104, 6, 7, -7, 1e-7, -3, 2147483520, 2147483648, -2147483648, -2147483904, 3e9, -1e12, 16777217,
];
/** The smallest normal number, subnormals and their negatives. */
const SUBNORMALS = [1e-45, -1e-45, 1e-40, -1e-40, 1.1754942e-38, -1.1754942e-38, 1.1754944e-38, -1.1754944e-38];

/** Ops whose policy fixes the sign of a zero result (elsewhere +0 and -0 are the same). */
const ZERO_SIGN_CHECKED = new Set([
  'neg', 'abs', 'relu', 'relu6', 'clip', 'maximum', 'minimum', 'sign', 'floor', 'leaky_relu', 'cast', 'select',
  // Data movement copies bits.
  'gather', 'transpose', 'slice', 'pad', 'concat', 'tile', 'reverse', 'resize_nearest',
]);

/** Output names are '<op>' or '<op>:<detail>'; the op decides whether zero signs count. */
const zeroSignChecked = (name: string): boolean => ZERO_SIGN_CHECKED.has(name.split(/[:({]/)[0]);

/** Runs `g` on the GPU at batch 1 and 3: '<output>: <difference>' for each output that differs from the interpreter. */
const problemsOf = (g: Graph, inputs: (batch: number) => Tensor[]): Promise<string[]> => specialProblems(g, inputs, zeroSignChecked);

const F32 = (...shape: Shape): TensorType => ({ dtype: 'f32', shape });
const I32 = (...shape: Shape): TensorType => ({ dtype: 'i32', shape });

type Op = [op: string, attrs?: Attrs];

/** Unary ops continuous at 0: they also see subnormals. */
const CONTINUOUS: Op[] = [
  ['neg'], ['abs'], ['exp'], ['square'], ['erf'], ['round'], ['relu'], ['relu6'], ['elu', { alpha: 1 }],
  ['elu', { alpha: 0.5 }], ['selu'], ['sigmoid'], ['hard_sigmoid'], ['tanh'], ['softplus'], ['softsign'], ['swish'], ['mish'],
  ['gelu', { approximate: false }], ['gelu', { approximate: true }], ['leaky_relu', { alpha: 0.2 }], ['clip', { min: -1.5, max: 2 }],
  ['clip', { min: 0, max: 6 }], ['clip', { min: -0.5, max: 0 }],
];
/** Unary ops with a jump at 0 (a flushed subnormal would change the answer). */
const JUMPING: Op[] = [['log'], ['sqrt'], ['rsqrt'], ['floor'], ['ceil'], ['sign']];

const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'];
const COMPARISONS = ['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'];

const nameOf = ([op, attrs]: Op): string => (attrs ? `${op}${JSON.stringify(attrs)}` : op);

/** `count` random values in [-scale, scale) with `specials` written at `every`-th positions from `first`. */
function sprinkled(count: number, seed: number, specials: readonly number[], first: number, every: number, scale = 3): number[] {
  const out = Array.from(randomValues(count, seed, scale));
  for (let i = first, k = 0; i < count; i += every, k++) out[i] = specials[(k + seed) % specials.length];
  return out;
}

describeGpu('webgpu special values: elementwise', () => {
  it('every unary op and cast f32 -> i32 / bool / f32 (one fused kernel)', async () => {
    const withSubnormals = [...SPECIALS, ...SUBNORMALS];
    const n = withSubnormals.length;
    const g = fusedGraph(
      [
        ['x', F32('N', n)],
        ['s', F32('N', n)],
      ],
      (b, [x, s]) => {
        const out: [string, Value][] = CONTINUOUS.map((op) => [nameOf(op), b.op(op[0], [x], op[1])]);
        out.push(...JUMPING.map((op): [string, Value] => [nameOf(op), b.op(op[0], [s], op[1])]));
        const asInt = b.op('cast', [x], { to: 'i32' });
        const asBool = b.op('cast', [s], { to: 'bool' });
        out.push(['cast:i32', asInt], ['cast:i32->f32', b.op('cast', [asInt], { to: 'f32' })]);
        out.push(['cast:bool->f32', b.op('cast', [asBool], { to: 'f32' })], ['cast:not', b.op('cast', [b.op('logical_not', [asBool])], { to: 'f32' })]);
        out.push(['sub:x-x', b.op('sub', [x, x])], ['maximum:x,-x', b.op('maximum', [x, b.op('neg', [x])])], ['minimum:x,-x', b.op('minimum', [x, b.op('neg', [x])])]);
        return out;
      },
    );
    // `s` holds the same values with each subnormal replaced by a normal number.
    const normal = withSubnormals.map((v) => (v !== 0 && Math.abs(v) < 1.1754943e-38 ? v * 1e30 : v));
    const inputs = (batch: number): Tensor[] => [f32([batch, n], batchOf(withSubnormals, batch)), f32([batch, n], batchOf(normal, batch))];
    expect(await problemsOf(g, inputs)).toEqual([]);
  });

  it('every binary op, comparison and select over every pair, and fused chains (one fused kernel)', async () => {
    const n = SPECIALS.length;
    const g = fusedGraph(
      [
        ['a', F32('N', n, 1)],
        ['b', F32(n)],
      ],
      (k, [a, b]) => {
        const out: [string, Value][] = BINARY.map((op) => [op, k.op(op, [a, b])]);
        for (const op of COMPARISONS) {
          const c = k.op(op, [a, b]);
          out.push([`cast:${op}`, k.op('cast', [c], { to: 'f32' })], [`select:${op}`, k.op('select', [c, a, b])]);
        }
        const sum = k.op('add', [a, b]);
        const difference = k.op('sub', [b, a]);
        out.push(['chain:relu(a*b+a)', k.op('relu', [k.op('add', [k.op('mul', [a, b]), a])])]);
        out.push(['relu6:(a-b)', k.op('relu6', [k.op('sub', [a, b])])]);
        out.push(['maximum:relu(a+b),tanh(b-a)', k.op('maximum', [k.op('relu', [sum]), k.op('tanh', [difference])])]);
        out.push(['chain:exp(b-a)*tanh(a+b)', k.op('mul', [k.op('exp', [difference]), k.op('tanh', [sum])])]);
        out.push(['clip:(a/b)', k.op('clip', [k.op('div', [a, b])], { min: -1, max: 1 })]);
        out.push(['chain:min+max', k.op('add', [k.op('minimum', [a, b]), k.op('maximum', [a, b])])]);
        out.push(['cast:i32(a*b)', k.op('cast', [k.op('mul', [a, b])], { to: 'i32' })]);
        return out;
      },
    );
    const inputs = (batch: number): Tensor[] => [f32([batch, n, 1], batchOf(SPECIALS, batch)), f32([n], SPECIALS)];
    expect(await problemsOf(g, inputs)).toEqual([]);
  });
});

/** NaN, infinities and zeros for window and reduction inputs (no subnormals: argmax and pools compare). */
const WINDOW_SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, NaN, -Infinity];
/**
 * Inputs of sums of products: no magnitude that overflows a product or a
 * partial sum in f32 but not in the reference's f64 (unspecified).
 */
const GEMM_SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e30, -1e30, 1e20, -Infinity];

const weight = (shape: number[], seed: number): Tensor => f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), seed, 0.5));

describeGpu('webgpu special values: GEMM, convolution and window kernels', () => {
  it('matmul / conv2d / depthwise epilogues (bias, activation, residual) and max / avg pooling', async () => {
    const b = new GraphBuilder('g');
    const dense = b.input('dense_x', F32('N', 6));
    const image = b.input('image', F32('N', 5, 5, 3));
    const residual = b.input('residual', F32('N', 5, 5, 4));
    // A bias with NaN and infinities, so the epilogue sees them without the GEMM.
    const bias = (name: string, count: number): Value =>
      b.constant(name, f32([count], Array.from({ length: count }, (_, i) => [0.5, NaN, -Infinity, Infinity, -0.25][i % 5])));
    const matmul = b.op('matmul', [dense, b.constant('w_dense', weight([6, 5], 1))]);
    b.output('relu:dense', b.op('relu', [b.op('add', [matmul, bias('b_dense', 5)])]));
    const conv = b.op('conv2d', [image, b.constant('w_conv', weight([3, 3, 3, 4], 2))], { padding: 'same' });
    b.output('chain:conv+bias+relu6+residual', b.op('add', [b.op('relu6', [b.op('add', [conv, bias('b_conv', 4)])]), residual]));
    const depthwise = b.op('depthwise_conv2d', [image, b.constant('w_depthwise', weight([3, 3, 3, 1], 3))], { padding: 'same', strides: [2, 2] });
    b.output('clip:depthwise+bias', b.op('clip', [b.op('add', [depthwise, bias('b_depthwise', 3)])], { min: -1, max: 1 }));
    const pool = { pool: [3, 3], strides: [2, 2], padding: 'same' };
    b.output('max_pool2d:same', b.op('max_pool2d', [image], pool));
    b.output('avg_pool2d:same', b.op('avg_pool2d', [image], pool));
    b.output('max_pool2d:valid', b.op('max_pool2d', [image], { pool: [2, 2], strides: [1, 1] }));
    const g = b.graph;
    optimizeGraph(g, {});
    const anchors = g.nodes.filter((node) => node.op === 'fused').map((node) => node.body?.nodes[0].op);
    expect(anchors).toEqual(['matmul', 'conv2d', 'depthwise_conv2d']);
    const inputs = (batch: number): Tensor[] => [
      f32([batch, 6], sprinkled(batch * 6, batch, GEMM_SPECIALS, batch % 2, 2)),
      f32([batch, 5, 5, 3], sprinkled(batch * 75, batch + 1, GEMM_SPECIALS, 1, 5)),
      f32([batch, 5, 5, 4], sprinkled(batch * 100, batch + 2, SPECIALS, 3, 9)),
    ];
    expect(await problemsOf(g, inputs)).toEqual([]);
  });
});

/**
 * Rows of 8 for reductions, softmax and argmax: NaN first, inside, everywhere;
 * +-Inf alone, together, everywhere; zeros of both signs; huge values that
 * overflow only as one f32 result; an ordinary row.
 */
const ROWS: number[][] = [
  [0.5, -1, 2, 3, -2.5, 1, 0.25, -0.75],
  [1, NaN, 2, 3, -1, 0, 5, NaN],
  [NaN, 1, 2, 3, 4, 5, 6, 7],
  [1, 2, Infinity, 3, Infinity, 0, -1, 2],
  [-1, -Infinity, -2, -3, -Infinity, -0.5, -4, -5],
  [Infinity, 1, -Infinity, 2, 3, 4, 5, 6],
  Array(8).fill(-Infinity),
  Array(8).fill(Infinity),
  Array(8).fill(NaN),
  Array(8).fill(-0),
  [0, -0, 0, -0, -0, 0, -0, 0],
  [3.4e38, 3e38, 1, -1, 2, 2e38, 0, 3.4e38],
  [-3.4e38, -3e38, -1, -2e38, -3.4e38, -3e38, -5, -3e38],
  [2, 2, 1, 2, -0, 2, 0, 1],
];
/** Rows 11 and 12 overflow a partial sum or product (unspecified); sums, means and products see them scaled into range. */
const SUM_ROWS = ROWS.map((row, r) => (r === 11 || r === 12 ? row.map((v) => v * 1e-30) : row));
/** A row of subnormals for sums (continuous at 0). */
const SUBNORMAL_ROW = [1e-45, -1e-40, 1e-40, 0, 1.1754942e-38, -1e-45, 2e-45, -0];

/** Batch item b holds the rows in an order shifted by b, each rotated by 3b. */
function rowsOf(rows: readonly number[][], batch: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch; b++) for (const row of rotated(rows, b)) out.push(...rotated(row, 3 * b));
  return out;
}

/** A long row (one workgroup per row) of values near 1 (their product stays in range) with `specials` at the given positions. */
function longRow(length: number, seed: number, specials: [number, number][]): number[] {
  const row = Array.from(randomValues(length, seed, 0.05), (v) => 1 + v);
  for (const [at, v] of specials) row[at] = v;
  return row;
}

describeGpu('webgpu special values: reductions, softmax, argmax', () => {
  it('reduce_sum / mean / prod / max / min, softmax, log_softmax and argmax over short and long rows', async () => {
    const short = ROWS.length;
    const b = new GraphBuilder('g');
    const x = b.input('x', F32('N', short, 8));
    const sums = b.input('sums', F32('N', short + 1, 8));
    const long = b.input('long', F32('N', 4, 300));
    const axes = { axes: [-1] };
    for (const [name, v] of [['short', x], ['long', long]] as const) {
      b.output(`reduce_max:${name}`, b.op('reduce_max', [v], axes));
      b.output(`reduce_min:${name}`, b.op('reduce_min', [v], axes));
      b.output(`argmax:${name}`, b.op('argmax', [v], { axis: -1 }));
      b.output(`softmax:${name}`, b.op('softmax', [v], { axis: -1 }));
      b.output(`log_softmax:${name}`, b.op('log_softmax', [v], { axis: -1 }));
    }
    for (const [name, v] of [['short', sums], ['long', long]] as const) {
      for (const op of ['reduce_sum', 'reduce_mean', 'reduce_prod']) b.output(`${op}:${name}`, b.op(op, [v], axes));
    }
    b.output('reduce_max:batch', b.op('reduce_max', [x], { axes: [0] }));
    const inputs = (batch: number): Tensor[] => [
      f32([batch, short, 8], rowsOf(ROWS, batch)),
      f32([batch, short + 1, 8], rowsOf([...SUM_ROWS, SUBNORMAL_ROW], batch)),
      f32(
        [batch, 4, 300],
        Array.from({ length: batch }, (_, i) => [
          longRow(300, i + 1, [[200 + i, NaN], [17, Infinity]]),
          longRow(300, i + 2, [[250 - i, Infinity], [10 + i, -Infinity]]),
          longRow(300, i + 3, [[i, -Infinity], [299, -Infinity], [64, NaN], [3, NaN]]),
          longRow(300, i + 4, [[100 + i, 1e30], [7, -0]]),
        ]).flat(2),
      ),
    ];
    expect(await problemsOf(b.graph, inputs)).toEqual([]);
  });
});

describeGpu('webgpu special values: gather', () => {
  it('copies NaN, infinities and -0 bit for bit and writes zeros for indices out of range', async () => {
    const b = new GraphBuilder('g');
    const table = b.input('table', F32(7, 3));
    // Computed indices (an index straight from a model input is checked by the interpreter instead).
    const ids = b.op('add', [b.input('ids', I32('N', 6)), b.scalar(0, 'i32')]);
    b.output('gather:rows', b.op('gather', [table, ids], { axis: 0 }));
    b.output('gather:columns', b.op('gather', [table, ids], { axis: 1 }));
    const inputs = (batch: number): Tensor[] => [
      f32([7, 3], SPECIALS.slice(0, 21)),
      tensor('i32', [batch, 6], Array.from({ length: batch }, (_, i) => rotated([0, 6, -1, 7, 2, -2147483648, 2147483647, 3, 1, 4], 3 * i).slice(0, 6)).flat()),
    ];
    expect(await problemsOf(b.graph, inputs)).toEqual([]);
  });
});

describeGpu('webgpu special values: data movement, resize, normalization, batched matmul', () => {
  it('copies NaN, infinities and -0 bit for bit and propagates them through resize, layer_norm, batch_norm and matmul', async () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F32('N', 3, 4, 2));
    const y = b.input('y', F32('N', 4, 5));
    // Huge values would overflow the variance in f32 but not in the reference's f64 (unspecified), so layer_norm reads no huge values.
    const rows = b.input('rows', F32('N', 5, 2));
    const transposed = b.op('transpose', [x], { perm: [0, 2, 1, 3] });
    b.output('transpose', transposed);
    b.output('slice', b.op('slice', [x], { begin: [0, 1, 1, 0], end: [0, 3, 4, 2] }));
    b.output('pad', b.op('pad', [x], { pads: [[0, 0], [1, 0], [0, 2], [0, 0]], value: -0 }));
    b.output('concat', b.op('concat', [x, b.op('reverse', [x], { axes: [2] })], { axis: 3 }));
    b.output('tile', b.op('tile', [x], { reps: [1, 1, 2, 1] }));
    for (const op of ['resize_nearest', 'resize_bilinear']) {
      b.output(`${op}:up`, b.op(op, [x], { size: [5, 7], align_corners: false, half_pixel_centers: true }));
      b.output(`${op}:down`, b.op(op, [x], { size: [2, 3], align_corners: true, half_pixel_centers: false }));
    }
    const gamma = b.constant('gamma', f32([2], [1.5, -0.5]));
    const beta = b.constant('beta', f32([2], [0.25, 0]));
    b.output('layer_norm', b.op('layer_norm', [rows, gamma, beta], { axes: [-1], epsilon: 0.001 }));
    const mean = b.constant('mean', f32([2], [0.5, -1]));
    const variance = b.constant('variance', f32([2], [2, 0.5]));
    b.output('batch_norm', b.op('batch_norm', [x, mean, variance, gamma, beta], { epsilon: 0.001, axis: -1 }));
    b.output('matmul', b.op('matmul', [y, b.op('transpose', [y], { perm: [0, 2, 1] })]));
    const inputs = (batch: number): Tensor[] => [
      f32([batch, 3, 4, 2], sprinkled(batch * 24, batch, [...WINDOW_SPECIALS, 1e30, -1e30], 0, 3)),
      f32([batch, 4, 5], sprinkled(batch * 20, batch + 5, GEMM_SPECIALS, 2, 7)),
      f32([batch, 5, 2], sprinkled(batch * 10, batch + 6, [NaN, Infinity, -Infinity, -0, 0], 0, 2)),
    ];
    expect(await problemsOf(b.graph, inputs)).toEqual([]);
  });
});
