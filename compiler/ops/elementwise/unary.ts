/**
 * Unary math and activation ops, one table row each (see define.ts for the
 * shared inference and reference loop). f32 -> f32 unless a row says more.
 *
 * A composite activation's row also says how it is made of other ops
 * (`decompose`); the decompose-activations pass and the targets' code
 * generators use that, so targets implement only the primitives. Its `fn`
 * stays the exact definition, the oracle the decomposition is tested against.
 */
import { IRError } from '../../ir/errors.js';
import { typedAttrs } from '../../ir/node_attrs.js';
import type { OpEmitter } from '../../ir/op.js';
import { OP } from '../../ir/op_types.js';
import { defineUnary, type UnarySpec } from './define.js';
import { erf, gelu, roundHalfEven, SELU_ALPHA, SELU_SCALE, sigmoid, softplus } from './math.js';

const NUMERIC = ['f32', 'i32'] as const;

/** x * scale + shift, the primitive that carries a decomposition's numbers. */
const scaleShift = <V>(e: OpEmitter<V>, x: V, scale: number, shift: number): V => e.op('scale_shift', [x], { scale, shift });

/** 0.5 x (1 + erf(x / sqrt 2)). */
function geluErf<V>(e: OpEmitter<V>, x: V): V {
  const onePlusErf = scaleShift(e, e.op('erf', [scaleShift(e, x, Math.SQRT1_2, 0)]), 1, 1);
  return e.op('mul', [scaleShift(e, x, 0.5, 0), onePlusErf]);
}

/** 0.5 x (1 + tanh(u)) as x sigmoid(2u), u = sqrt(2/pi) x (1 + 0.044715 x^2): no cancellation in the left tail. */
function geluTanh<V>(e: OpEmitter<V>, x: V): V {
  const u = e.op('mul', [x, scaleShift(e, e.op('square', [x]), 0.044715, 1)]);
  return e.op('mul', [x, e.op('sigmoid', [scaleShift(e, u, 2 * Math.sqrt(2 / Math.PI), 0)])]);
}

function checkFinite(values: Readonly<Record<string, number>>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) throw new IRError(`${name} must be finite, got ${v}`);
  }
}

const UNARY_OPS: UnarySpec[] = [
  { name: 'neg', doc: '-x.', fn: (x) => -x, dtypes: NUMERIC },
  { name: 'abs', doc: '|x|.', fn: (x) => Math.abs(x), dtypes: NUMERIC },
  { name: 'exp', doc: 'e^x.', fn: (x) => Math.exp(x) },
  { name: 'log', doc: 'Natural logarithm (NaN below 0, -inf at 0).', fn: (x) => Math.log(x) },
  { name: 'sqrt', doc: 'Square root.', fn: (x) => Math.sqrt(x) },
  { name: 'rsqrt', doc: '1 / sqrt(x).', fn: (x) => 1 / Math.sqrt(x) },
  { name: 'square', doc: 'x * x.', fn: (x) => x * x, dtypes: NUMERIC },
  { name: 'erf', doc: 'The error function.', fn: (x) => erf(x) },
  { name: 'floor', doc: 'Largest integer <= x.', fn: (x) => Math.floor(x) },
  { name: 'ceil', doc: 'Smallest integer >= x.', fn: (x) => Math.ceil(x) },
  { name: 'round', doc: 'Nearest integer, ties to even (like tf.round).', fn: (x) => roundHalfEven(x) },
  {
    name: 'sign',
    doc: '-1, 0 or 1 by the sign of x; +0 for both zeros, NaN for NaN.',
    fn: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
    dtypes: NUMERIC,
  },
  // Math.max, like TF.js: NaN stays NaN and -0 becomes +0 (a `x > 0 ? x : 0` test would turn NaN into 0).
  { name: 'relu', doc: 'max(x, 0); NaN stays NaN.', fn: (x) => Math.max(x, 0), dtypes: NUMERIC },
  { name: 'relu6', doc: 'min(max(x, 0), 6).', fn: (x) => Math.min(Math.max(x, 0), 6) },
  {
    name: 'elu',
    doc: 'x if x > 0 else alpha * (e^x - 1).',
    attrs: { alpha: { kind: 'float', default: 1 } },
    fn: (x, a) => (x > 0 ? x : typedAttrs(OP.elu, a).alpha * Math.expm1(x)),
  },
  {
    name: 'selu',
    doc: `scale * elu(x, alpha) with alpha = ${SELU_ALPHA}, scale = ${SELU_SCALE}. Composite: scale_shift(elu(x)).`,
    fn: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    decompose: ([x], _a, e) => scaleShift(e, e.op('elu', [x], { alpha: SELU_ALPHA }), SELU_SCALE, 0),
  },
  { name: 'sigmoid', doc: '1 / (1 + e^-x), stable for large |x|.', fn: (x) => sigmoid(x) },
  {
    name: 'hard_sigmoid',
    doc: 'clip(0.2 * x + 0.5, 0, 1) (the Keras 2 definition). Composite: clip(scale_shift(x)).',
    fn: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1),
    decompose: ([x], _a, e) => e.op('clip', [scaleShift(e, x, 0.2, 0.5)], { min: 0, max: 1 }),
  },
  { name: 'tanh', doc: 'Hyperbolic tangent.', fn: (x) => Math.tanh(x) },
  { name: 'softplus', doc: 'log(1 + e^x), stable in both tails.', fn: (x) => softplus(x) },
  {
    name: 'log_sigmoid',
    doc: 'log(sigmoid(x)) = -softplus(-x). Composite: neg(softplus(neg(x))).',
    fn: (x) => -softplus(-x),
    decompose: ([x], _a, e) => e.op('neg', [e.op('softplus', [e.op('neg', [x])])]),
  },
  {
    name: 'softsign',
    doc: 'x / (1 + |x|). Composite: div(x, scale_shift(abs(x))).',
    fn: (x) => x / (1 + Math.abs(x)),
    decompose: ([x], _a, e) => e.op('div', [x, scaleShift(e, e.op('abs', [x]), 1, 1)]),
  },
  {
    name: 'swish',
    doc: 'x * sigmoid(x). Composite: mul(x, sigmoid(x)).',
    fn: (x) => x * sigmoid(x),
    decompose: ([x], _a, e) => e.op('mul', [x, e.op('sigmoid', [x])]),
  },
  {
    name: 'mish',
    doc: 'x * tanh(softplus(x)). Composite: mul(x, tanh(softplus(x))).',
    fn: (x) => x * Math.tanh(softplus(x)),
    decompose: ([x], _a, e) => e.op('mul', [x, e.op('tanh', [e.op('softplus', [x])])]),
  },
  {
    name: 'gelu',
    doc: 'Exact 0.5 * x * (1 + erf(x / sqrt(2))); `approximate=true` uses the tanh form. Composite: of erf, or of sigmoid (x * sigmoid(2u) = 0.5 x (1 + tanh u)).',
    attrs: { approximate: { kind: 'bool', default: false } },
    fn: (x, a) => gelu(x, typedAttrs(OP.gelu, a).approximate),
    decompose: ([x], a, e) => (typedAttrs(OP.gelu, a).approximate ? geluTanh(e, x) : geluErf(e, x)),
  },
  {
    name: 'leaky_relu',
    doc: 'x if x >= 0 else alpha * x.',
    attrs: { alpha: { kind: 'float', default: 0.2 } },
    fn: (x, a) => (x >= 0 ? x : typedAttrs(OP.leaky_relu, a).alpha * x),
  },
  {
    name: 'scale_shift',
    doc: 'x * scale + shift; with shift = 0 nothing is added, so -0 keeps its sign. Carries the numbers of decomposed activations; both must be finite.',
    attrs: { scale: { kind: 'float' }, shift: { kind: 'float' } },
    example: { scale: 0.2, shift: 0.5 },
    fn: (x, a) => {
      const { scale, shift } = typedAttrs(OP.scale_shift, a);
      const scaled = x * scale;
      return shift === 0 ? scaled : scaled + shift;
    },
    verify: (a) => checkFinite(typedAttrs(OP.scale_shift, a)),
  },
  {
    name: 'clip',
    doc: 'x < min ? min : (x > max ? max : x), like tf.clipByValue: NaN and -0 pass through; needs min <= max.',
    attrs: { min: { kind: 'float' }, max: { kind: 'float' } },
    example: { min: 0, max: 6 },
    fn: (x, a) => {
      const { min, max } = typedAttrs(OP.clip, a);
      return x < min ? min : x > max ? max : x;
    },
    verify(a) {
      const { min, max } = typedAttrs(OP.clip, a);
      if (!(min <= max)) throw new IRError(`clip bounds are reversed: min=${min} > max=${max}`);
    },
  },
];

for (const spec of UNARY_OPS) defineUnary(spec);
