/**
 * Random well-formed graphs for the pipeline property test. A recipe is an
 * input shape, a batch size and a list of steps; each step picks one
 * generator from a table and draws its details from its own seed, so
 * fast-check shrinks a failing graph by dropping steps or zeroing seeds.
 * The generators produce the patterns the passes look for (elementwise DAGs
 * with broadcasting, x*1 / x+0, identity/dropout, transpose and reshape
 * chains, casts, pad before conv/pool, conv / depthwise / transposed conv /
 * conv1d / matmul + bias + batch norm + activation + residual, reductions,
 * softmax, concat), and also near misses that a pass must leave alone (a
 * constant that broadcasts x to a bigger shape, a padded channel axis, a
 * non-zero pad value, a conv result with a second user).
 *
 * Values stay well away from non-finite results and discontinuities:
 * unbounded growth (exp, square) only after tanh, divisors bounded away from
 * zero, logs and roots of positive arguments, and the discontinuous ops
 * (floor, casts to i32, select conditions) only on graph inputs, which no
 * pass can perturb. So any mismatch beyond the tolerance rule is a real bug.
 */
import fc from 'fast-check';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { Attrs } from '../../compiler/ir/attrs.js';
import { resolveShape, type Dim, type DType } from '../../compiler/ir/types.js';
import { SeededRandom } from '../../compiler/util/random.js';

/** One integer seed fixes a whole generator step. */
export class Rng extends SeededRandom {
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

type Fill = 'signed' | 'ones' | 'zeros' | 'positive' | 'away-from-zero' | 'mask';

const dims = (v: Value): Dim[] => v.type.shape;
const rank = (v: Value): number => v.type.shape.length;

/** The state of one graph under construction. */
class Gen {
  readonly b: GraphBuilder;
  readonly input: Value;
  /** Every f32 value made so far (the input first): operands for DAG edges and residuals. */
  readonly pool: Value[] = [];
  current: Value;
  readonly extraOutputs: Value[] = [];
  private weightCount = 0;

  constructor(recipe: GraphRecipe) {
    this.b = new GraphBuilder('random');
    this.input = this.b.input('x', { dtype: 'f32', shape: ['N', recipe.h, recipe.w, recipe.c] });
    this.current = this.input;
    this.pool.push(this.input);
  }

  op(name: string, inputs: Value[], attrs: Attrs = {}): Value {
    return this.b.op(name, inputs, attrs);
  }

  /** Makes `v` the value later steps build on. */
  advance(v: Value): void {
    this.current = v;
    if (v.type.dtype === 'f32') this.pool.push(v);
  }

  constant(r: Rng, shape: number[], fill: Fill, dtype: DType = 'f32'): Value {
    const size = shape.reduce((a, d) => a * d, 1);
    // Glorot-like scale for kernels keeps activations O(1) through chains of convolutions.
    const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, d) => a * d, 1) : 1;
    const scale = Math.min(1, Math.sqrt(3 / fanIn));
    const values = Array.from({ length: size }, () => {
      switch (fill) {
        case 'ones':
          return 1;
        case 'zeros':
          return 0;
        case 'positive':
          return r.uniform(0.5, 2);
        case 'away-from-zero':
          return (r.chance(0.5) ? -1 : 1) * r.uniform(0.5, 2);
        case 'signed':
          return r.uniform(-scale, scale);
        case 'mask':
          return r.chance(0.5) ? 1 : 0;
      }
    });
    return this.b.constant(`w${this.weightCount++}`, tensor(dtype, shape, values));
  }

  /** A rank-4 NHWC value: the current one if it is, else the latest such value in the pool. */
  spatial(): Value {
    if (isSpatial(this.current)) return this.current;
    for (let i = this.pool.length - 1; i >= 0; i--) if (isSpatial(this.pool[i])) return this.pool[i];
    return this.input;
  }

  /** Another pool value with exactly the type of `v`, if any. */
  sameShaped(r: Rng, v: Value): Value | undefined {
    const candidates = this.pool.filter((p) => p !== v && sameDims(dims(p), dims(v)));
    return candidates.length > 0 ? r.pick(candidates) : undefined;
  }
}

function isSpatial(v: Value): boolean {
  const s = dims(v);
  return v.type.dtype === 'f32' && s.length === 4 && s[0] === 'N' && s.slice(1).every((d) => typeof d === 'number');
}

function sameDims(a: Dim[], b: Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Static sizes of the non-batch axes (the batch axis is always axis 0 and `N`). */
function inner(v: Value): number[] {
  return dims(v).slice(1) as number[];
}

/**
 * A constant shape that broadcasts against `v` without changing v's shape:
 * a random suffix of v's non-batch axes, each kept or set to 1.
 */
function broadcastShape(r: Rng, v: Value): number[] {
  const trailing = inner(v);
  const keep = r.int(0, trailing.length);
  return trailing.slice(trailing.length - keep).map((d) => (r.chance(0.6) ? d : 1));
}

/** Like broadcastShape, but where v has a 1 the constant may be bigger, so the result outgrows v. */
function growingShape(r: Rng, v: Value): number[] {
  return inner(v).map((d) => (d === 1 ? r.int(1, 3) : r.chance(0.5) ? d : 1));
}

const SAFE_UNARY: readonly [string, (r: Rng) => Attrs][] = [
  ['neg', () => ({})],
  ['abs', () => ({})],
  ['relu', () => ({})],
  ['relu6', () => ({})],
  ['elu', (r) => ({ alpha: r.pick([1, 0.5]) })],
  ['selu', () => ({})],
  ['sigmoid', () => ({})],
  ['hard_sigmoid', () => ({})],
  ['tanh', () => ({})],
  ['softplus', () => ({})],
  ['softsign', () => ({})],
  ['swish', () => ({})],
  ['mish', () => ({})],
  ['gelu', (r) => ({ approximate: r.chance(0.5) })],
  ['leaky_relu', (r) => ({ alpha: r.pick([0.2, 0.1]) })],
  ['clip', (r) => ({ min: r.pick([-1, 0, -0.5]), max: r.pick([0.5, 1, 6]) })],
  ['erf', () => ({})],
];

const ACTIVATIONS: readonly [string, Attrs][] = [
  ['relu', {}],
  ['relu6', {}],
  ['clip', { min: 0, max: 6 }],
  ['sigmoid', {}],
  ['tanh', {}],
  ['swish', {}],
  ['gelu', {}],
  ['elu', {}],
  ['leaky_relu', {}],
  ['hard_sigmoid', {}],
];

function unary(g: Gen, r: Rng): void {
  const [name, attrs] = r.pick(SAFE_UNARY);
  g.advance(g.op(name, [g.current], attrs(r)));
}

/** Ops that need a bounded or positive argument, behind a tanh. */
function guardedUnary(g: Gen, r: Rng): void {
  const t = g.op('tanh', [g.current]);
  const form = r.int(0, 5);
  let y: Value;
  if (form === 0) y = g.op('exp', [t]);
  else if (form === 1) y = g.op('sqrt', [g.op('add', [t, g.b.scalar(1.5)])]);
  else if (form === 2) y = g.op('rsqrt', [g.op('add', [g.op('square', [t]), g.b.scalar(0.5)])]);
  else if (form === 3) y = g.op('log', [g.op('add', [g.op('abs', [t]), g.b.scalar(0.5)])]);
  else if (form === 4) y = g.op('square', [t]);
  else y = g.op('pow', [g.op('sigmoid', [g.current]), g.b.scalar(r.pick([0.5, 2, 3]))]);
  g.advance(y);
}

/** A broadcasting binary op against another pool value or a constant; DAG edges come from here. */
function binary(g: Gen, r: Rng): void {
  const x = g.current;
  const name = r.pick(['add', 'sub', 'mul', 'maximum', 'minimum', 'div']);
  const other = r.chance(0.5) ? g.sameShaped(r, x) : undefined;
  let y: Value;
  if (name === 'div') {
    // Divisors bounded away from zero: |v| + 1, or constants with |c| >= 0.5.
    const divisor = other ? g.op('add', [g.op('abs', [other]), g.b.scalar(1)]) : g.constant(r, broadcastShape(r, x), 'away-from-zero');
    y = g.op('div', [x, divisor]);
  } else {
    let operand = other ?? (r.chance(0.2) ? x : g.constant(r, broadcastShape(r, x), 'signed'));
    // Products of graph values squash one factor, so repeated products cannot overflow.
    if (name === 'mul' && (operand === x || operand === other)) operand = g.op('tanh', [operand]);
    y = r.chance(0.5) ? g.op(name, [x, operand]) : g.op(name, [operand, x]);
  }
  g.advance(y);
}

/** x*1, 1*x, x+0, x-0, x/1: removable only when the constant does not grow x. */
function neutralConstant(g: Gen, r: Rng): void {
  const x = g.current;
  const shape = r.chance(0.75) ? broadcastShape(r, x) : growingShape(r, x);
  const form = r.int(0, 4);
  let y: Value;
  if (form === 0) y = g.op('mul', [x, g.constant(r, shape, 'ones')]);
  else if (form === 1) y = g.op('mul', [g.constant(r, shape, 'ones'), x]);
  else if (form === 2) y = g.op('add', [g.constant(r, shape, 'zeros'), x]);
  else if (form === 3) y = g.op('sub', [x, g.constant(r, shape, 'zeros')]);
  else y = g.op('div', [x, g.constant(r, shape, 'ones')]);
  g.advance(y);
}

/** select with a condition on the graph input (exact in every graph) or a constant mask. */
function select(g: Gen, r: Rng): void {
  const x = g.current;
  let cond: Value;
  if (sameDims(dims(x), dims(g.input)) && r.chance(0.6)) {
    cond = g.op(r.pick(['greater', 'less_equal']), [g.input, g.b.scalar(r.pick([0, 0.25, -0.5]))]);
  } else {
    cond = g.constant(r, broadcastShape(r, x), 'mask', 'bool');
  }
  const other = g.sameShaped(r, x) ?? g.constant(r, broadcastShape(r, x), 'signed');
  g.advance(r.chance(0.5) ? g.op('select', [cond, x, other]) : g.op('select', [cond, other, x]));
}

function identityLike(g: Gen, r: Rng): void {
  const y = r.chance(0.5) ? g.op('identity', [g.current]) : g.op('dropout', [g.current], { rate: r.pick([0.1, 0.5]) });
  g.advance(y);
}

/** Two or three transposes that keep the batch axis first; sometimes they cancel. */
function transposes(g: Gen, r: Rng): void {
  let x = g.current;
  const n = rank(x);
  if (n < 2) return;
  const randomPerm = (): number[] => [0, ...r.shuffle(Array.from({ length: n - 1 }, (_, i) => i + 1))];
  const first = randomPerm();
  x = g.op('transpose', [x], { perm: first });
  if (r.chance(0.5)) {
    const inverse = new Array<number>(n);
    first.forEach((p, i) => (inverse[p] = i));
    x = g.op('transpose', [x], { perm: inverse });
  } else {
    x = g.op('transpose', [x], { perm: randomPerm() });
    if (r.chance(0.5)) x = g.op('transpose', [x], { perm: randomPerm() });
  }
  g.advance(x);
}

/** Factors `size` into `parts` positive factors at random. */
function factor(r: Rng, size: number, parts: number): number[] {
  const out: number[] = [];
  let rest = size;
  for (let i = 0; i < parts - 1; i++) {
    const divisors = Array.from({ length: rest }, (_, k) => k + 1).filter((d) => rest % d === 0);
    const d = r.pick(divisors);
    out.push(d);
    rest /= d;
  }
  out.push(rest);
  return out;
}

/** Reshape chains: flatten, refactor, sometimes back to the original shape, sometimes with -1. */
function reshapes(g: Gen, r: Rng): void {
  let x = g.current;
  const original = dims(x);
  const size = inner(x).reduce((a, d) => a * d, 1);
  const steps = r.int(2, 3);
  for (let i = 0; i < steps; i++) {
    const last = i === steps - 1;
    let target: Dim[];
    if (last && r.chance(0.5)) target = original;
    else target = ['N', ...factor(r, size, r.int(1, 3))];
    if (target.length > 1 && r.chance(0.3)) {
      const k = r.int(1, target.length - 1);
      target = target.map((d, j) => (j === k ? -1 : d));
    }
    x = g.op('reshape', [x], { shape: target });
  }
  g.advance(x);
}

/** Redundant casts, and exact integer round trips of the graph input. */
function casts(g: Gen, r: Rng): void {
  if (r.chance(0.5)) {
    g.advance(g.op('cast', [g.op('cast', [g.current], { to: 'f32' })], { to: 'f32' }));
    return;
  }
  const scaled = g.op('mul', [g.input, g.b.scalar(4)]);
  let i = g.op('cast', [scaled], { to: 'i32' });
  if (r.chance(0.5)) i = g.op(r.pick(['neg', 'abs', 'relu']), [i]);
  const back = g.op('cast', [i], { to: 'f32' });
  const floored = r.chance(0.5) ? g.op('floor', [g.input]) : back;
  g.advance(r.chance(0.5) ? floored : g.op('add', [back, floored]));
}

/** A pad, then a conv / depthwise conv / pooling that may absorb it. */
function padThenWindow(g: Gen, r: Rng): void {
  const x = g.spatial();
  const side = (): number[] => [r.int(0, 2), r.int(0, 2)];
  const channelPad = r.chance(0.15) ? [r.int(0, 1), 1] : [0, 0];
  const value = r.chance(0.15) ? r.pick([1, -0.5]) : 0;
  const padded = g.op('pad', [x], { pads: [[0, 0], side(), side(), channelPad], value });
  const [h, w, c] = inner(padded);
  const k = r.int(1, Math.min(3, h, w));
  const strides = r.chance(0.3) ? [2, 2] : [1, 1];
  const padding = r.pick(['valid', 'valid', 'same']);
  const kind = r.int(0, 3);
  let y: Value;
  if (kind === 0) {
    y = g.op('conv2d', [padded, g.constant(r, [k, k, c, r.int(1, 4)], 'signed')], { strides, padding });
  } else if (kind === 1) {
    y = g.op('depthwise_conv2d', [padded, g.constant(r, [k, k, c, r.int(1, 2)], 'signed')], { strides, padding });
  } else {
    y = g.op(kind === 2 ? 'max_pool2d' : 'avg_pool2d', [padded], { pool: [k, k], strides, padding });
  }
  if (r.chance(0.15)) g.extraOutputs.push(padded);
  g.advance(y);
}

/**
 * Bias add, batch norm, activation and residual add after an anchor result,
 * each with some probability; sometimes the anchor result gets a second user.
 */
function epilogue(g: Gen, r: Rng, anchor: Value, residualCandidate: Value | undefined): void {
  let y = anchor;
  const channels = dims(y)[rank(y) - 1] as number;
  if (r.chance(0.7)) {
    const bias = g.constant(r, [channels], 'signed');
    y = r.chance(0.8) ? g.op('add', [y, bias]) : g.op('add', [bias, y]);
  }
  if (r.chance(0.2)) g.extraOutputs.push(anchor);
  if (r.chance(0.5)) y = batchNormOf(g, r, y);
  if (r.chance(0.7)) {
    const [act, attrs] = r.pick(ACTIVATIONS);
    y = g.op(act, [y], attrs);
  }
  const residual = residualCandidate && sameDims(dims(residualCandidate), dims(y)) ? residualCandidate : g.sameShaped(r, y);
  if (residual && r.chance(0.5)) y = r.chance(0.7) ? g.op('add', [y, residual]) : g.op('add', [residual, y]);
  g.advance(y);
}

function batchNormOf(g: Gen, r: Rng, x: Value): Value {
  const c = dims(x)[rank(x) - 1] as number;
  const mean = g.constant(r, [c], 'signed');
  const variance = g.constant(r, [c], 'positive');
  const gamma = g.constant(r, [c], 'away-from-zero');
  const beta = g.constant(r, [c], 'signed');
  return g.op('batch_norm', [x, mean, variance, gamma, beta], { epsilon: r.pick([0.001, 0.00001]) });
}

function conv(g: Gen, r: Rng): void {
  const x = g.spatial();
  const [h, w, c] = inner(x);
  const k = r.int(1, Math.min(3, h, w));
  const filters = r.chance(0.4) ? c : r.int(1, 4);
  const strided = r.chance(0.25);
  const attrs: Attrs = {
    strides: strided ? [2, 2] : [1, 1],
    dilations: !strided && k > 1 && h >= 2 * k - 1 && w >= 2 * k - 1 && r.chance(0.2) ? [2, 2] : [1, 1],
    padding: r.pick(['same', 'valid', 'explicit']),
  };
  if (attrs.padding === 'explicit') attrs.pads = [[r.int(0, 1), r.int(0, 1)], [r.int(0, 1), r.int(0, 1)]];
  const y = g.op('conv2d', [x, g.constant(r, [k, k, c, filters], 'signed')], attrs);
  epilogue(g, r, y, x);
}

function depthwise(g: Gen, r: Rng): void {
  const x = g.spatial();
  const [h, w, c] = inner(x);
  const k = r.int(1, Math.min(3, h, w));
  const multiplier = r.chance(0.7) ? 1 : 2;
  const attrs: Attrs = { strides: r.chance(0.25) ? [2, 2] : [1, 1], padding: r.pick(['same', 'valid']) };
  const y = g.op('depthwise_conv2d', [x, g.constant(r, [k, k, c, multiplier], 'signed')], attrs);
  epilogue(g, r, y, x);
}

/** Conv2DTranspose ([kh,kw,F,C] filter) or Conv1D over the flattened rows, each with an epilogue. */
function otherAnchors(g: Gen, r: Rng): void {
  const x = g.spatial();
  const [h, w, c] = inner(x);
  const filters = r.int(1, 3);
  if (r.chance(0.5)) {
    const k = r.int(1, 3);
    const attrs: Attrs = { strides: r.chance(0.5) ? [2, 2] : [1, 1], padding: r.pick(['same', 'valid']) };
    epilogue(g, r, g.op('conv2d_transpose', [x, g.constant(r, [k, k, filters, c], 'signed')], attrs), undefined);
    return;
  }
  const rows = g.op('reshape', [x], { shape: ['N', h * w, c] });
  const k = r.int(1, Math.min(3, h * w));
  const attrs: Attrs = { stride: r.int(1, 2), padding: r.pick(['same', 'valid', 'causal']) };
  epilogue(g, r, g.op('conv1d', [rows, g.constant(r, [k, c, filters], 'signed')], attrs), undefined);
}

/** Dense: a matmul over the last axis, on the flattened value or directly on a rank-4 one. */
function dense(g: Gen, r: Rng): void {
  let x = g.current;
  if (rank(x) < 2) return;
  if (rank(x) > 2 && r.chance(0.5)) x = g.op('reshape', [x], { shape: ['N', -1] });
  const k = dims(x)[rank(x) - 1] as number;
  const units = r.int(1, 5);
  const transposeB = r.chance(0.2);
  const w = g.constant(r, transposeB ? [units, k] : [k, units], 'signed');
  const y = g.op('matmul', [x, w], { transpose_b: transposeB });
  epilogue(g, r, y, undefined);
}

function loneBatchNorm(g: Gen, r: Rng): void {
  g.advance(batchNormOf(g, r, g.current));
}

function reduce(g: Gen, r: Rng): void {
  const x = g.current;
  const n = rank(x);
  if (n < 2) return;
  const axes = Array.from({ length: n - 1 }, (_, i) => i + 1).filter(() => r.chance(0.5));
  const name = r.pick(['reduce_sum', 'reduce_mean', 'reduce_max', 'reduce_min']);
  const reduced = axes.length > 0 ? axes : [n - 1];
  // Every value keeps a non-batch axis, so "the channel axis" is always a static size.
  const keepdims = reduced.length === n - 1 || r.chance(0.5);
  g.advance(g.op(name, [x], { axes: reduced, keepdims }));
}

function softmax(g: Gen, r: Rng): void {
  const n = rank(g.current);
  const axis = n > 1 && r.chance(0.3) ? r.int(1, n - 1) : -1;
  g.advance(g.op(r.chance(0.8) ? 'softmax' : 'log_softmax', [g.current], { axis }));
}

/** Concatenates the current value with a same-shaped pool value (or a function of itself) on the last axis. */
function concat(g: Gen, r: Rng): void {
  const x = g.current;
  const other = g.sameShaped(r, x) ?? g.op('tanh', [x]);
  const parts = r.chance(0.7) ? [x, other] : [other, x, other];
  g.advance(g.op('concat', parts, { axis: -1 }));
}

/** The same computation twice, then both used: a target for CSE. */
function duplicate(g: Gen, r: Rng): void {
  const [name, attrs] = r.pick(SAFE_UNARY);
  const a = attrs(r);
  const first = g.op(name, [g.current], a);
  const second = g.op(name, [g.current], a);
  g.advance(g.op(r.pick(['add', 'mul', 'maximum']), [first, second]));
}

const GENERATORS = {
  unary,
  guardedUnary,
  binary,
  neutralConstant,
  select,
  identityLike,
  transposes,
  reshapes,
  casts,
  padThenWindow,
  conv,
  depthwise,
  otherAnchors,
  dense,
  loneBatchNorm,
  reduce,
  softmax,
  concat,
  duplicate,
} satisfies Record<string, (g: Gen, r: Rng) => void>;

export type StepKind = keyof typeof GENERATORS;
export const STEP_KINDS = Object.keys(GENERATORS) as StepKind[];

export interface Step {
  kind: StepKind;
  seed: number;
}

export interface GraphRecipe {
  h: number;
  w: number;
  c: number;
  batch: number;
  inputSeed: number;
  steps: Step[];
}

export interface RandomGraph {
  graph: Graph;
  inputs: Tensor[];
}

/** Builds the graph a recipe describes, with a concrete input for it. */
export function buildRandomGraph(recipe: GraphRecipe): RandomGraph {
  const g = new Gen(recipe);
  for (const step of recipe.steps) GENERATORS[step.kind](g, new Rng(step.seed));
  g.b.output('y', g.current);
  g.extraOutputs.forEach((v, i) => g.b.output(`extra${i}`, v));
  const r = new Rng(recipe.inputSeed);
  const shape = resolveShape(dims(g.input), recipe.batch);
  const size = shape.reduce((a, d) => a * d, 1);
  const inputs = [tensor('f32', shape, Array.from({ length: size }, () => r.uniform(-1.5, 1.5)))];
  return { graph: g.b.graph, inputs };
}

/** Small shapes, up to ten steps. */
export const graphRecipe: fc.Arbitrary<GraphRecipe> = fc.record({
  h: fc.integer({ min: 1, max: 5 }),
  w: fc.integer({ min: 1, max: 5 }),
  c: fc.integer({ min: 1, max: 4 }),
  batch: fc.integer({ min: 1, max: 2 }),
  inputSeed: fc.integer(),
  steps: fc.array(fc.record({ kind: fc.constantFrom(...STEP_KINDS), seed: fc.integer() }), { minLength: 1, maxLength: 10 }),
});
