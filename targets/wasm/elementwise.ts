/**
 * The wasm target's elementwise support table: one SIMD rule per primitive
 * op, mapping f32x4 operands (bool values are lane masks: all ones or zeros)
 * to the f32x4 / mask result; a composite op (swish, gelu, ...) is its
 * decomposition evaluated through these rules (compiler/ops/elementwise/composite.ts).
 * Plain elementwise kernels, fused elementwise bodies and GEMM epilogues all
 * evaluate ops through this one table, so an op is either supported
 * everywhere or nowhere. The rules reproduce the reference semantics
 * (compiler/ops/elementwise/*), NaN behaviour included.
 */
import '../../compiler/ops/elementwise.js';
import type { Attrs } from '../../compiler/ir/attrs.js';
import type { Node } from '../../compiler/ir/graph.js';
import { typedAttrs } from '../../compiler/ir/node_attrs.js';
import { OP } from '../../compiler/ir/op_types.js';
import type { DType } from '../../compiler/ir/types.js';
import { compositeOps, expandElementwise } from '../../compiler/ops/elementwise/composite.js';
import { evaluateNodes } from '../common/elementwise_nodes.js';
import type { Expr } from './binaryen.js';
import type { Getter } from './func.js';
import * as math from './math.js';
import type { VecBuilder } from './vec.js';

export interface RuleArgs {
  b: VecBuilder;
  /** One getter per operand; each call yields a fresh read of the operand's vector. */
  x: Getter[];
  attrs: Attrs;
  /** Operand dtypes (the rules that accept several dtypes look here). */
  dtypes: DType[];
}

export type Rule = (args: RuleArgs) => Expr;

/** Dtypes a value may have inside a wasm elementwise loop (i32 lanes are 4 bytes, like f32). */
export const VECTOR_DTYPES: readonly DType[] = ['f32', 'i32', 'bool'];

/** The ops whose rules also handle i32 operands (the others read every lane as f32). */
const I32_OPS: ReadonlySet<string> = new Set([
  'neg', 'abs', 'square', 'relu', 'identity', 'dropout', 'cast', 'add', 'sub', 'mul', 'maximum', 'minimum',
  'equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'select',
]);

const isI32 = (dtypes: readonly DType[]): boolean => dtypes[0] === 'i32';

/** A rule that picks the i32 form when the first operand is i32. */
const byDtype = (f32Rule: Rule, i32Rule: Rule): Rule => (args) => (isI32(args.dtypes) ? i32Rule(args) : f32Rule(args));

/** Converts lanes of dtype `from` to `to`: to i32 truncates toward zero (saturating), to bool is x != 0, bool is 0 / 1. */
function convert(b: VecBuilder, x: Expr, from: DType, to: DType): Expr {
  const m = b.m;
  if (from === to) return x;
  if (to === 'bool') return from === 'f32' ? m.f32x4.ne(x, b.f32(0)) : m.i32x4.ne(x, b.i32(0));
  if (from === 'bool') return m.v128.and(x, to === 'f32' ? b.f32(1) : b.i32(1));
  return to === 'i32' ? m.i32x4.trunc_sat_f32x4_s(x) : m.f32x4.convert_i32x4_s(x);
}

const unaryF32 = (fn: (b: VecBuilder, x: Getter, attrs: Attrs) => Expr): Rule => ({ b, x, attrs }) => fn(b, x[0], attrs);

/** x > 0 ? x : alpha (e^x - 1). */
function elu(b: VecBuilder, x: Getter, alpha: number): Expr {
  const f = b.m.f32x4;
  return b.select(f.gt(x(), b.f32(0)), x(), f.mul(b.f32(alpha), math.expm1(b, x)));
}

/** x * scale + shift, leaving out a multiplication by 1 and an addition of 0 (both exact). */
function scaleShift(b: VecBuilder, x: Getter, scale: number, shift: number): Expr {
  const f = b.m.f32x4;
  const scaled = scale === 1 ? x() : f.mul(x(), b.f32(scale));
  return shift === 0 ? scaled : f.add(scaled, b.f32(shift));
}

function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'): Rule {
  return ({ b, x, dtypes }) => {
    if (dtypes[0] === 'bool') {
      // Masks compare as integers; only equal / not_equal accept bool operands.
      return op === 'eq' ? b.m.i32x4.eq(x[0](), x[1]()) : b.m.i32x4.ne(x[0](), x[1]());
    }
    if (isI32(dtypes)) {
      const i = b.m.i32x4;
      const signed = { eq: i.eq, ne: i.ne, lt: i.lt_s, le: i.le_s, gt: i.gt_s, ge: i.ge_s }[op];
      return signed(x[0](), x[1]());
    }
    return b.m.f32x4[op](x[0](), x[1]());
  };
}

const PRIMITIVE_RULES: Readonly<Record<string, Rule>> = {
  // Unary.
  neg: byDtype(unaryF32((b, x) => b.m.f32x4.neg(x())), ({ b, x }) => b.m.i32x4.neg(x[0]())),
  abs: byDtype(unaryF32((b, x) => b.m.f32x4.abs(x())), ({ b, x }) => b.m.i32x4.abs(x[0]())),
  exp: unaryF32((b, x) => math.exp(b, x)),
  log: unaryF32((b, x) => math.log(b, x)),
  sqrt: unaryF32((b, x) => b.m.f32x4.sqrt(x())),
  rsqrt: unaryF32((b, x) => b.m.f32x4.div(b.f32(1), b.m.f32x4.sqrt(x()))),
  square: byDtype(unaryF32((b, x) => b.m.f32x4.mul(x(), x())), ({ b, x }) => b.m.i32x4.mul(x[0](), x[0]())),
  erf: unaryF32((b, x) => math.erf(b, x)),
  floor: unaryF32((b, x) => b.m.f32x4.floor(x())),
  ceil: unaryF32((b, x) => b.m.f32x4.ceil(x())),
  round: unaryF32((b, x) => b.m.f32x4.nearest(x())),
  sign: unaryF32((b, x) => {
    const f = b.m.f32x4;
    // What is neither > 0 nor < 0 is a zero or NaN; adding +0 makes -0 into +0 and keeps NaN.
    return b.select(f.gt(x(), b.f32(0)), b.f32(1), b.select(f.lt(x(), b.f32(0)), b.f32(-1), f.add(x(), b.f32(0))));
  }),
  // f32x4.max propagates NaN and orders -0 below +0, so relu(NaN) = NaN and relu(-0) = +0, as in TF.js.
  relu: byDtype(unaryF32((b, x) => b.m.f32x4.max(x(), b.f32(0))), ({ b, x }) => b.m.i32x4.max_s(x[0](), b.i32(0))),
  relu6: unaryF32((b, x) => b.m.f32x4.min(b.m.f32x4.max(x(), b.f32(0)), b.f32(6))),
  elu: unaryF32((b, x, a) => elu(b, x, typedAttrs(OP.elu, a).alpha)),
  sigmoid: unaryF32((b, x) => math.sigmoid(b, x)),
  tanh: unaryF32((b, x) => math.tanh(b, x)),
  softplus: unaryF32((b, x) => math.softplus(b, x)),
  scale_shift: unaryF32((b, x, a) => {
    const { scale, shift } = typedAttrs(OP.scale_shift, a);
    return scaleShift(b, x, scale, shift);
  }),
  leaky_relu: unaryF32((b, x, a) => b.select(b.m.f32x4.ge(x(), b.f32(0)), x(), b.m.f32x4.mul(x(), b.f32(typedAttrs(OP.leaky_relu, a).alpha)))),
  // pmax(x, lo) = x < lo ? lo : x and pmin(y, hi) = hi < y ? hi : y: NaN and -0 pass through, like tf.clipByValue.
  clip: unaryF32((b, x, a) => {
    const { min, max } = typedAttrs(OP.clip, a);
    return b.m.f32x4.pmin(b.m.f32x4.pmax(x(), b.f32(min)), b.f32(max));
  }),
  identity: ({ x }) => x[0](),
  dropout: ({ x }) => x[0](),
  logical_not: ({ b, x }) => b.m.v128.not(x[0]()),
  // f32 -> bool is x != 0 (NaN counts as true); bool -> numbers keeps the bits of 1 where the mask is set.
  cast: ({ b, x, attrs, dtypes }) => convert(b, x[0](), dtypes[0], typedAttrs(OP.cast, attrs).to),
  // Binary.
  add: byDtype(({ b, x }) => b.m.f32x4.add(x[0](), x[1]()), ({ b, x }) => b.m.i32x4.add(x[0](), x[1]())),
  sub: byDtype(({ b, x }) => b.m.f32x4.sub(x[0](), x[1]()), ({ b, x }) => b.m.i32x4.sub(x[0](), x[1]())),
  mul: byDtype(({ b, x }) => b.m.f32x4.mul(x[0](), x[1]()), ({ b, x }) => b.m.i32x4.mul(x[0](), x[1]())),
  div: ({ b, x }) => b.m.f32x4.div(x[0](), x[1]()),
  maximum: byDtype(({ b, x }) => b.m.f32x4.max(x[0](), x[1]()), ({ b, x }) => b.m.i32x4.max_s(x[0](), x[1]())),
  minimum: byDtype(({ b, x }) => b.m.f32x4.min(x[0](), x[1]()), ({ b, x }) => b.m.i32x4.min_s(x[0](), x[1]())),
  equal: compare('eq'),
  not_equal: compare('ne'),
  less: compare('lt'),
  less_equal: compare('le'),
  greater: compare('gt'),
  greater_equal: compare('ge'),
  logical_and: ({ b, x }) => b.m.v128.and(x[0](), x[1]()),
  logical_or: ({ b, x }) => b.m.v128.or(x[0](), x[1]()),
  // Ternary.
  select: ({ b, x }) => b.select(x[0](), x[1](), x[2]()),
};

/** A composite op's rule: its decomposition evaluated through the primitive rules, each step in a local. */
function compositeRule(op: string): Rule {
  return ({ b, x, attrs, dtypes }) =>
    expandElementwise(op, x, dtypes, attrs, (name, inputs, inputDtypes, full) => {
      const rule = PRIMITIVE_RULES[name];
      if (!rule) throw new Error(`the wasm target has no rule for '${name}', which '${op}' is made of`);
      return b.let(rule({ b, x: inputs, attrs: full, dtypes: inputDtypes }));
    })();
}

export const ELEMENTWISE_RULES: Readonly<Record<string, Rule>> = {
  ...PRIMITIVE_RULES,
  ...Object.fromEntries(compositeOps().map((op) => [op, compositeRule(op)])),
};

/** Why the wasm target cannot evaluate this elementwise op on these dtypes, or null when it can. */
export function elementwiseUnsupported(op: string, operandDtypes: readonly DType[], resultDtypes: readonly DType[]): string | null {
  if (!(op in ELEMENTWISE_RULES)) return `the wasm target does not support op '${op}' yet`;
  const dtypes = [...operandDtypes, ...resultDtypes];
  const bad = dtypes.find((d) => !VECTOR_DTYPES.includes(d) || (d === 'i32' && !I32_OPS.has(op)));
  if (bad !== undefined) return `the wasm target does not support op '${op}' on ${bad} values yet`;
  return null;
}

/**
 * Evaluates `nodes` (elementwise, in order) on vectors: reads operands from
 * `env` (value id -> getter) and adds each result to it.
 */
export function emitNodes(b: VecBuilder, nodes: readonly Node[], env: Map<number, Getter>): void {
  evaluateNodes('wasm', ELEMENTWISE_RULES, nodes, env, (rule, node, x) =>
    b.let(rule({ b, x, attrs: node.attrs, dtypes: node.inputs.map((v) => v.type.dtype) })),
  );
}
