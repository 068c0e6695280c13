/**
 * The wasm target against the reference interpreter on NaN, ±Inf, ±0,
 * denormals and huge magnitudes (docs/OPS.md, "Special values"): every
 * elementwise op, fused chains, GEMM and convolution epilogues, pooling,
 * reductions, softmax, argmax, cast and gather out of range, at batch 1
 * and 3, with rows whose lengths are not multiples of 4 and the special
 * values rotated through every lane.
 */
import { describe, expect, it } from 'vitest';
import '../../../compiler/ops/index.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { interpret } from '../../../compiler/interpreter/interpreter.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { allocData, f32, type Tensor } from '../../../compiler/ir/tensor.js';
import { elementCount, resolveShape } from '../../../compiler/ir/types.js';
import { pipelinePasses } from '../../../compiler/passes/pipeline.js';
import { runPasses } from '../../../compiler/passes/manager.js';
import { compileWasm } from '../../../targets/wasm/index.js';
import { compareSpecial, DENORMAL, SPECIAL_VALUES } from '../../ops/special_values.js';
import { randomValues } from './check.js';
import { loadArtifact } from './run_wasm.js';

/** Values whose f32 sums and products never overflow where f64 ones do not (docs/OPS.md: unspecified). */
const SUMMABLE = SPECIAL_VALUES.filter((v) => !(Math.abs(v) >= 1e30));

/**
 * `count` values: random ones in [-scale, scale) with every `every`-th one a
 * special value, the specials shifted by `seed` so that each lands in a
 * different lane and row at each batch.
 */
function sprinkled(count: number, seed: number, specials: readonly number[], every: number, scale = 3): Float32Array {
  const values = randomValues(count, seed, scale);
  for (let i = seed % every; i < count; i += every) values[i] = specials[(i + seed) % specials.length];
  return values;
}

type Inputs = (batch: number) => Tensor[];

/** Every graph input filled by `sprinkled` at the batch's shape. */
function inputsFor(g: Graph, specials: readonly number[], every: number): Inputs {
  return (batch) =>
    g.inputs.map((v, i) => {
      const shape = resolveShape(v.type.shape, batch);
      return f32(shape, sprinkled(elementCount(shape), batch * 7 + i, specials, every));
    });
}

/** Problems found running `g` compiled for wasm against the interpreter, at batch 1 and 3. */
async function problems(g: Graph, inputs: Inputs, zeroSign = false): Promise<string[]> {
  const loaded = await loadArtifact(compileWasm(g));
  const found: string[] = [];
  for (const batch of [1, 3]) {
    const x = inputs(batch);
    const want = interpret(g, x);
    const got = loaded.run(x);
    want.forEach((w, j) => {
      const problem = compareSpecial(got[j], w, { zeroSign });
      if (problem) found.push(`batch ${batch}, output ${j}: ${problem}`);
    });
  }
  return found;
}

/** Parses `src`, gives each named weight deterministic finite data and optionally runs the optimization pipeline. */
function build(src: string, weights: Record<string, number[]> = {}, optimize = false): Graph {
  const g = parseGraph(src);
  Object.entries(weights).forEach(([name, shape], i) => {
    g.weights.set(name, f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), 40 + i)));
  });
  if (optimize) runPasses(g, pipelinePasses());
  return g;
}

const ZERO_SIGN_OPS = new Set(['neg', 'abs', 'relu', 'relu6', 'clip', 'sign', 'floor', 'leaky_relu']);

const UNARY: [string, string][] = [
  ...['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'erf', 'floor', 'ceil', 'round', 'sign', 'relu', 'relu6'].map((op): [string, string] => [op, '']),
  ...['elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'leaky_relu'].map((op): [string, string] => [op, '']),
  ['elu', ' {alpha=0.5}'],
  ['leaky_relu', ' {alpha=0.01}'],
  ['gelu', ' {approximate=true}'],
  ['clip', ' {min=0, max=6}'],
  ['clip', ' {min=-1.5, max=2}'],
];

describe('wasm elementwise ops on special values', () => {
  it.each(UNARY)('%s%s', async (op, attrs) => {
    const g = build(`graph @g(%x: f32[N,23]) -> (y: f32[N,23]) {
  %1 = ${op}(%x)${attrs} : f32[N,23]
  return %1
}`);
    expect(await problems(g, inputsFor(g, SPECIAL_VALUES, 1), ZERO_SIGN_OPS.has(op))).toEqual([]);
    expect(await problems(g, inputsFor(g, SPECIAL_VALUES, 3), ZERO_SIGN_OPS.has(op))).toEqual([]);
  });

  it.each(['add', 'sub', 'mul', 'div', 'maximum', 'minimum'])('%s on every pair of special values', async (op) => {
    const values = [NaN, Infinity, -Infinity, -0, 0, DENORMAL, 1, -2.5, 3e38, -3e38, 0.5];
    const a = values.flatMap((u) => values.map(() => u));
    const b = values.flatMap(() => values);
    const g = build(`graph @g(%a: f32[N,${a.length}], %b: f32[${a.length}]) -> (y: f32[N,${a.length}]) {
  %1 = ${op}(%a, %b) : f32[N,${a.length}]
  return %1
}`);
    const inputs: Inputs = (batch) => [f32([batch, a.length], Array.from({ length: batch }, () => a).flat()), f32([b.length], b)];
    expect(await problems(g, inputs, op === 'maximum' || op === 'minimum')).toEqual([]);
  });

  it.each(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'])('%s with NaN, infinities and signed zeros', async (op) => {
    const g = build(`graph @g(%a: f32[N,19], %b: f32[N,19]) -> (y: f32[N,19]) {
  %c = ${op}(%a, %b) : bool[N,19]
  %1 = cast(%c) {to="f32"} : f32[N,19]
  return %1
}`);
    expect(await problems(g, inputsFor(g, [NaN, Infinity, -Infinity, -0, 0, DENORMAL, 1], 2))).toEqual([]);
  });

  it('select keeps the chosen branch bit for bit, NaN in the other ignored', async () => {
    const g = build(`graph @g(%a: f32[N,19], %b: f32[N,19]) -> (y: f32[N,19]) {
  %c = greater(%a, %b) : bool[N,19]
  %1 = select(%c, %b, %a) : f32[N,19]
  return %1
}`);
    expect(await problems(g, inputsFor(g, SPECIAL_VALUES, 2), true)).toEqual([]);
  });
});

describe('wasm cast on special values', () => {
  const extremes = [NaN, Infinity, -Infinity, -0, 2.7, -2.7, 2147483520, 2147483648, 3e9, -3e9, -2147483648, -2147483904, 1e30, -1e30];

  it.each(['i32', 'bool'])('f32 -> %s saturates out of range, NaN -> 0 (to bool: NaN is true)', async (to) => {
    const g = build(`graph @g(%x: f32[N,${extremes.length}]) -> (y: ${to === 'i32' ? 'i32' : 'f32'}[N,${extremes.length}]) {
  %1 = cast(%x) {to="${to}"} : ${to}[N,${extremes.length}]${to === 'bool' ? `\n  %2 = cast(%1) {to="f32"} : f32[N,${extremes.length}]\n  return %2` : '\n  return %1'}
}`);
    const inputs: Inputs = (batch) => [f32([batch, extremes.length], Array.from({ length: batch }, () => extremes).flat())];
    expect(await problems(g, inputs, true)).toEqual([]);
    if (to === 'i32') {
      const [y] = (await loadArtifact(compileWasm(g))).run(inputs(1));
      expect(Array.from(y.data.slice(0, 4))).toEqual([0, 2147483647, -2147483648, 0]);
    }
  });
});

describe('wasm fused kernels and epilogues on special values', () => {
  it('a fused elementwise chain with broadcasting', async () => {
    const g = build(
      `graph @g(%x: f32[N,3,7], %y: f32[N,1,7]) -> (y: f32[N,3,7]) {
  %1 = add(%x, %y) : f32[N,3,7]
  %2 = relu(%1) : f32[N,3,7]
  %3 = mul(%2, %x) : f32[N,3,7]
  %4 = clip(%3) {min=-1, max=1} : f32[N,3,7]
  %5 = sign(%4) : f32[N,3,7]
  %6 = maximum(%5, %y) : f32[N,3,7]
  %7 = tanh(%6) : f32[N,3,7]
  return %7
}`,
      {},
      true,
    );
    expect(g.nodes.some((n) => n.op === 'fused')).toBe(true);
    expect(await problems(g, inputsFor(g, SPECIAL_VALUES, 3))).toEqual([]);
  });

  it.each(['relu', 'relu6', 'sigmoid', 'gelu', 'leaky_relu', 'elu', 'tanh'])('matmul + bias + %s epilogue, K and F not multiples of 4', async (act) => {
    const g = build(
      `graph @g(%x: f32[N,7]) -> (y: f32[N,10]) {
  %w = const() {ref="w", dtype="f32", shape=[7,10]} : f32[7,10]
  %b = const() {ref="b", dtype="f32", shape=[10]} : f32[10]
  %1 = matmul(%x, %w) {transpose_a=false, transpose_b=false} : f32[N,10]
  %2 = add(%1, %b) : f32[N,10]
  %3 = ${act}(%2) : f32[N,10]
  return %3
}`,
      { w: [7, 10], b: [10] },
      true,
    );
    expect(g.nodes.some((n) => n.op === 'fused')).toBe(true);
    expect(await problems(g, inputsFor(g, SUMMABLE, 5))).toEqual([]);
  });

  it.each(['valid', 'same'])('conv2d %s + bias + relu6 and depthwise + clip', async (padding) => {
    const g = build(
      `graph @g(%x: f32[N,6,5,3]) -> (y: f32[N,${padding === 'same' ? '6,5' : '4,3'},5]) {
  %w = const() {ref="w", dtype="f32", shape=[3,3,3,5]} : f32[3,3,3,5]
  %b = const() {ref="b", dtype="f32", shape=[5]} : f32[5]
  %d = const() {ref="d", dtype="f32", shape=[2,2,5,1]} : f32[2,2,5,1]
  %1 = conv2d(%x, %w) {strides=[1,1], dilations=[1,1], padding="${padding}", pads=[[0,0],[0,0]], input_dilations=[1,1]} : f32[N,${padding === 'same' ? '6,5' : '4,3'},5]
  %2 = add(%1, %b) : f32[N,${padding === 'same' ? '6,5' : '4,3'},5]
  %3 = relu6(%2) : f32[N,${padding === 'same' ? '6,5' : '4,3'},5]
  %4 = depthwise_conv2d(%3, %d) {strides=[1,1], dilations=[1,1], padding="same", pads=[[0,0],[0,0]]} : f32[N,${padding === 'same' ? '6,5' : '4,3'},5]
  %5 = clip(%4) {min=-0.5, max=0.5} : f32[N,${padding === 'same' ? '6,5' : '4,3'},5]
  return %5
}`,
      { w: [3, 3, 3, 5], b: [5], d: [2, 2, 5, 1] },
      true,
    );
    expect(await problems(g, inputsFor(g, SUMMABLE, 17))).toEqual([]);
  });
});

describe('wasm pooling, reductions, softmax and argmax on special values', () => {
  it.each([
    ['max_pool2d', '[2,2]', '[2,2]', 'valid', '[N,3,2,5]'],
    ['max_pool2d', '[3,3]', '[1,1]', 'same', '[N,6,5,5]'],
    ['avg_pool2d', '[2,2]', '[1,1]', 'same', '[N,6,5,5]'],
  ])('%s %s %s %s', async (op, pool, strides, padding, out) => {
    const g = build(`graph @g(%x: f32[N,6,5,5]) -> (y: f32${out}) {
  %1 = ${op}(%x) {pool=${pool}, strides=${strides}, padding="${padding}", pads=[[0,0],[0,0]]} : f32${out}
  return %1
}`);
    expect(await problems(g, inputsFor(g, op === 'max_pool2d' ? SPECIAL_VALUES : SUMMABLE, 11))).toEqual([]);
  });

  it.each(['reduce_max', 'reduce_min', 'reduce_sum', 'reduce_mean', 'reduce_prod'])('%s over the last axis and over inner axes', async (op) => {
    const g = build(`graph @g(%x: f32[N,3,4,7]) -> (a: f32[N,3,4], b: f32[N,7]) {
  %1 = ${op}(%x) {axes=[-1], keepdims=false} : f32[N,3,4]
  %2 = ${op}(%x) {axes=[1,2], keepdims=false} : f32[N,7]
  return %1, %2
}`);
    const specials = op === 'reduce_max' || op === 'reduce_min' ? SPECIAL_VALUES : SUMMABLE.filter((v) => op !== 'reduce_prod' || Math.abs(v) < 100);
    expect(await problems(g, inputsFor(g, specials, 13))).toEqual([]);
  });

  it.each(['softmax', 'log_softmax'])('%s with NaN, +Inf and all--Inf rows', async (op) => {
    const g = build(`graph @g(%x: f32[N,6,7]) -> (y: f32[N,6,7]) {
  %1 = ${op}(%x) {axis=-1} : f32[N,6,7]
  return %1
}`);
    const rows = [
      [1, 2, NaN, 3, 4, 5, 6], [1, 2, 3, Infinity, 4, 5, 6], [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [1, -Infinity, 5, -Infinity, 2, 0, -0], [3e38, -3e38, DENORMAL, 1, 2, 3, 4], [0.5, -0.5, 1.5, -2.5, 100, -100, 7],
    ];
    const inputs: Inputs = (batch) => [f32([batch, 6, 7], Array.from({ length: batch }, (_, b) => rows.slice(b % 6).concat(rows.slice(0, b % 6))).flat(2))];
    expect(await problems(g, inputs)).toEqual([]);
  });

  it.each([
    ['[N,13]', 'axis=-1', '[N]'],
    ['[N,5,3]', 'axis=1', '[N,3]'],
  ])('argmax %s %s: the first NaN wins, ties go to the first', async (shape, axis, out) => {
    const g = build(`graph @g(%x: f32${shape}) -> (y: i32${out}) {
  %1 = argmax(%x) {${axis}} : i32${out}
  return %1
}`);
    expect(await problems(g, inputsFor(g, [NaN, Infinity, -Infinity, 7, 7, -0, 0], 4))).toEqual([]);
  });
});

/** Runs a one-op graph on wasm and returns its single output's values. */
async function runOne(src: string, x: Tensor): Promise<number[]> {
  const [y] = (await loadArtifact(compileWasm(build(src)))).run([x]);
  return Array.from(y.data);
}

describe('wasm results that used to drop NaN or disagree with the reference', () => {
  it('relu, sign and clip keep NaN; relu and sign give +0 for -0; clip keeps -0', async () => {
    const x = f32([1, 5], [NaN, -0, -1, 2, 9]);
    const unary = (op: string): string => `graph @g(%x: f32[N,5]) -> (y: f32[N,5]) {
  %1 = ${op} : f32[N,5]
  return %1
}`;
    const relu = await runOne(unary('relu(%x)'), x);
    expect(relu.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual([NaN, 0, 0, 2, 9]);
    expect(Object.is(relu[1], 0)).toBe(true);
    const sign = await runOne(unary('sign(%x)'), x);
    expect(sign).toEqual([NaN, 0, -1, 1, 1]);
    expect(Object.is(sign[1], 0)).toBe(true);
    const clip = await runOne(unary('clip(%x) {min=0, max=6}'), x);
    expect(clip).toEqual([NaN, -0, 0, 2, 6]);
    expect(Object.is(clip[1], -0)).toBe(true);
  });

  it('max_pool2d gives NaN for a window with NaN; argmax picks the first NaN', async () => {
    const pool = await runOne(
      `graph @g(%x: f32[N,2,2,1]) -> (y: f32[N,1,1,1]) {
  %1 = max_pool2d(%x) {pool=[2,2], strides=[2,2], padding="valid", pads=[[0,0],[0,0]]} : f32[N,1,1,1]
  return %1
}`,
      f32([1, 2, 2, 1], [1, NaN, 3, 2]),
    );
    expect(pool).toEqual([NaN]);
    const argmax = await runOne(
      `graph @g(%x: f32[N,7]) -> (y: i32[N]) {
  %1 = argmax(%x) {axis=-1} : i32[N]
  return %1
}`,
      f32([1, 7], [1, 9, NaN, 9, NaN, 10, 0]),
    );
    expect(argmax).toEqual([2]);
  });
});

describe('wasm gather with indices out of range', () => {
  it('computed indices out of range give zero rows, never another tensor\'s bytes (the kernel used to trap)', async () => {
    const g = build(
      `graph @g(%ids: i32[N,5], %shift: i32[5]) -> (y: f32[N,5,3]) {
  %t = const() {ref="t", dtype="f32", shape=[4,3]} : f32[4,3]
  %i = add(%ids, %shift) : i32[N,5]
  %1 = gather(%t, %i) {axis=0} : f32[N,5,3]
  return %1
}`,
      { t: [4, 3] },
    );
    const ids = [0, 4, -1, 3, 2147483647, 2, -2147483648, 1, 5, 3];
    const inputs: Inputs = (batch) => {
      const data = allocData('i32', batch * 5);
      for (let i = 0; i < data.length; i++) data[i] = ids[i % ids.length];
      return [{ dtype: 'i32', shape: [batch, 5], data }, { dtype: 'i32', shape: [5], data: new Int32Array(5) }];
    };
    expect(await problems(g, inputs, true)).toEqual([]);
    const [y] = (await loadArtifact(compileWasm(g))).run(inputs(1));
    expect(Array.from(y.data.slice(3, 9))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('wasm normalizations, resize, transposed and batched products on special values', () => {
  it('layer_norm over the last axis, rows of 7 with NaN and infinities', async () => {
    const g = build(
      `graph @g(%x: f32[N,4,7]) -> (y: f32[N,4,7]) {
  %gamma = const() {ref="gamma", dtype="f32", shape=[7]} : f32[7]
  %beta = const() {ref="beta", dtype="f32", shape=[7]} : f32[7]
  %1 = layer_norm(%x, %gamma, %beta) {axes=[-1], epsilon=0.001} : f32[N,4,7]
  return %1
}`,
      { gamma: [7], beta: [7] },
    );
    expect(await problems(g, inputsFor(g, SUMMABLE, 9))).toEqual([]);
  });

  it('batch_norm', async () => {
    const g = build(
      `graph @g(%x: f32[N,3,6]) -> (y: f32[N,3,6]) {
  %m = const() {ref="m", dtype="f32", shape=[6]} : f32[6]
  %v = const() {ref="v", dtype="f32", shape=[6]} : f32[6]
  %g = const() {ref="g", dtype="f32", shape=[6]} : f32[6]
  %b = const() {ref="b", dtype="f32", shape=[6]} : f32[6]
  %v2 = abs(%v) : f32[6]
  %1 = batch_norm(%x, %m, %v2, %g, %b) {epsilon=0.001, axis=-1} : f32[N,3,6]
  return %1
}`,
      { m: [6], v: [6], g: [6], b: [6] },
    );
    expect(await problems(g, inputsFor(g, SPECIAL_VALUES, 4))).toEqual([]);
  });

  it.each(['resize_bilinear', 'resize_nearest'])('%s', async (op) => {
    const g = build(`graph @g(%x: f32[N,4,5,3]) -> (y: f32[N,7,9,3]) {
  %1 = ${op}(%x) {size=[7,9], align_corners=false, half_pixel_centers=true} : f32[N,7,9,3]
  return %1
}`);
    expect(await problems(g, inputsFor(g, SUMMABLE, 7))).toEqual([]);
  });

  it('conv2d_transpose and a matmul of two activations', async () => {
    const g = build(
      `graph @g(%x: f32[N,3,3,2], %a: f32[N,3,5], %b: f32[N,5,6]) -> (y: f32[N,7,7,3], z: f32[N,3,6]) {
  %w = const() {ref="w", dtype="f32", shape=[3,3,3,2]} : f32[3,3,3,2]
  %1 = conv2d_transpose(%x, %w) {strides=[2,2], padding="valid"} : f32[N,7,7,3]
  %2 = matmul(%a, %b) {transpose_a=false, transpose_b=false} : f32[N,3,6]
  return %1, %2
}`,
      { w: [3, 3, 3, 2] },
      true,
    );
    expect(await problems(g, inputsFor(g, SUMMABLE, 6))).toEqual([]);
  });
});
