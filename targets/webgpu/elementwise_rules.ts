/**
 * The WebGPU target's elementwise support table: one WGSL rule per primitive
 * op, mapping operand register values (f32, i32, or bool) to the result's; a
 * composite op (swish, gelu, ...) is its decomposition evaluated through
 * these rules (compiler/ops/elementwise/composite.ts). Plain
 * elementwise kernels, fused elementwise bodies, epilogues of GEMM /
 * convolution kernels and loop bodies all evaluate ops through this table, so
 * an op is supported everywhere or nowhere. The rules reproduce the reference
 * semantics (compiler/ops/elementwise/*), NaN and infinities included.
 *
 * WGSL lets an implementation assume that floats are finite, and its builtins
 * (exp, log, tanh, max, ...) are unspecified on NaN, infinities and overflow.
 * So special values are tested on the bits (float_bits.ts), builtins only see
 * clamped inputs, special results come from bit patterns made at run time, and
 * f32 add / sub / mul / div decide their special cases on the bits too
 * (ieee_arithmetic.ts), so no algebraic fold (`x - x = 0`, `x * 0 = 0`, ...)
 * can lose a NaN or an infinity.
 */
import '../../compiler/ops/elementwise.js';
import type { Attrs } from '../../compiler/ir/attrs.js';
import type { Node } from '../../compiler/ir/graph.js';
import { typedAttrs } from '../../compiler/ir/node_attrs.js';
import { OP } from '../../compiler/ir/op_types.js';
import type { DType } from '../../compiler/ir/types.js';
import { compositeOps, expandElementwise, primitivesOf } from '../../compiler/ops/elementwise/composite.js';
import { evaluateNodes } from '../common/elementwise_nodes.js';
import { INF_BITS, isInf, isNan, keepNan, NAN_BITS, NEG_INF_BITS, signBit, special } from './float_bits.js';
import { addF32, divF32, mulF32, subF32 } from './ieee_arithmetic.js';

interface RuleArgs {
  /** One WGSL identifier per operand (each safe to read several times). */
  x: readonly string[];
  dtypes: readonly DType[];
  attrs: Attrs;
  /** Binds `expr` to a fresh `let` and returns its name. */
  temp(expr: string): string;
}

/** A WGSL expression of the result. */
type Rule = (a: RuleArgs) => string;

/** A finite number as a WGSL abstract float literal (it takes the f32 type where it is used). */
export function floatLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`WGSL cannot write the constant ${v}`);
  const f = Math.fround(v);
  if (Object.is(f, -0)) return '-0.0';
  const text = String(f);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** e^y for y <= 0 (or NaN): exactly 0 far below, where a builtin might return a tiny value or NaN for -inf. */
function expNonPositive(a: RuleArgs, y: string): string {
  return a.temp(`select(exp(max(${y}, -87.0)), 0.0, ${y} < -87.0)`);
}

/** e^x - 1 without the cancellation near 0 (a short series there); NaN passes through. */
function expm1(a: RuleArgs, x: string): string {
  const e = a.temp(`exp(clamp(${x}, -87.0, 88.0)) - 1.0`);
  return a.temp(`select(${e}, ${x} * (1.0 + ${x} * (0.5 + ${x} / 6.0)), abs(${x}) < 0.01)`);
}

/** e^x, +inf past the f32 range, NaN for NaN. */
function exp(a: RuleArgs, x: string): string {
  const e = a.temp(`exp(clamp(${x}, -87.0, 88.7228317))`);
  const small = `select(${e}, 0.0, ${x} < -104.0)`;
  return keepNan(x, `select(${small}, ${special(x, INF_BITS)}, ${x} > 88.7228317)`);
}

/** The logistic function: e^-|x| only, so nothing overflows; NaN passes through. */
function sigmoid(a: RuleArgs, x: string): string {
  const e = expNonPositive(a, `-abs(${x})`);
  return a.temp(keepNan(x, `select(${e} / (1.0 + ${e}), 1.0 / (1.0 + ${e}), ${x} >= 0.0)`));
}

/** tanh with its input clamped where it is +-1 in f32 (builtins may overflow beyond). */
function tanh(x: string): string {
  return keepNan(x, `tanh(clamp(${x}, -15.0, 15.0))`);
}

/** log(1 + e^x) as log1p(e^-|x|) + max(x, 0), with a series for a small log1p argument. */
function softplus(a: RuleArgs, x: string): string {
  const e = expNonPositive(a, `-abs(${x})`);
  const log1p = a.temp(`select(log(1.0 + ${e}), ${e} * (1.0 - ${e} * (0.5 - ${e} / 3.0)), ${e} < 0.001)`);
  return a.temp(keepNan(x, `${log1p} + max(${x}, 0.0)`));
}

// Abramowitz & Stegun 7.1.26: erfc(z) ~ t * P(t) * e^(-z^2), t = 1 / (1 + p z), z >= 0; absolute error < 1.5e-7.
const ERFC_P = 0.3275911;
const ERFC_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];

/** erfc(z) for z >= 0 (z beyond 10 counts as 10, where erfc is 0 in f32). */
function erfcNonNegative(a: RuleArgs, z: string): string {
  const zc = a.temp(`min(${z}, 10.0)`);
  const t = a.temp(`1.0 / (1.0 + ${floatLiteral(ERFC_P)} * ${zc})`);
  const poly = ERFC_A.slice()
    .reverse()
    .reduce((acc, c) => (acc === '' ? floatLiteral(c) : `(${floatLiteral(c)} + ${t} * ${acc})`), '');
  return a.temp(`${t} * ${poly} * ${expNonPositive(a, `-${zc} * ${zc}`)}`);
}

/** 1 + erf(z): erfc(-z) for negative z, so the left tail keeps its relative accuracy. */
function onePlusErf(a: RuleArgs, z: string): string {
  const c = erfcNonNegative(a, `abs(${z})`);
  return a.temp(`select(2.0 - ${c}, ${c}, ${z} < 0.0)`);
}

/** x > 0 ? x : alpha * (e^x - 1). */
function elu(a: RuleArgs, alpha: number): string {
  const [x] = a.x;
  return keepNan(x, `select(${floatLiteral(alpha)} * ${expm1(a, x)}, ${x}, ${x} > 0.0)`);
}

/**
 * x * scale + shift, decided on the bits like mul and add (a compiler may
 * fold x * 0 to 0); a multiplication by 1 and an addition of 0 are left out.
 */
function scaleShift(a: RuleArgs, x: string, scale: number, shift: number): string {
  const scaled = scale === 1 ? x : a.temp(mulF32(x, a.temp(`f32(${floatLiteral(scale)})`), a.temp));
  return shift === 0 ? scaled : addF32(scaled, a.temp(`f32(${floatLiteral(shift)})`), a.temp);
}

/** tf.clipByValue: `x < lo ? lo : (x > hi ? hi : x)`, so NaN and -0 pass through (the builtin clamp leaves both open). */
const clipByValue = (x: string, lo: number, hi: number): string =>
  keepNan(x, `select(select(${x}, ${floatLiteral(hi)}, ${x} > ${floatLiteral(hi)}), ${floatLiteral(lo)}, ${x} < ${floatLiteral(lo)})`);

/** max(x, 0) as Math.max: NaN stays NaN, -0 becomes +0. */
const reluF32 = (x: string): string => `select(0.0, ${x}, ${x} > 0.0 || ${isNan(x)})`;

const INT32_MIN = 'bitcast<i32>(0x80000000u)';
const INT32_MAX = '2147483647i';

/**
 * Rounds toward zero and saturates (|x| >= 2^31, infinities included, gives
 * the end of the i32 range by the sign); NaN gives 0. Decided on the bits:
 * WGSL leaves i32() of an out-of-range or NaN value to the implementation.
 */
function f32ToI32(a: RuleArgs, x: string): string {
  const bits = a.temp(`bitcast<u32>(${x})`);
  // A biased exponent of 158 or more is |x| >= 2^31 (or an infinity / NaN).
  const outOfRange = `((${bits} >> 23u) & 0xffu) >= 158u`;
  const saturated = `select(${INT32_MAX}, ${INT32_MIN}, ${signBit(x)})`;
  return `select(select(i32(${x}), ${saturated}, ${outOfRange}), 0i, ${isNan(x)})`;
}

function convert(a: RuleArgs, x: string, from: DType, to: DType): string {
  if (from === to) return x;
  if (from === 'bool') return to === 'f32' ? `select(0.0, 1.0, ${x})` : `select(0i, 1i, ${x})`;
  // x != 0 on the bits: NaN and subnormals are true even where the GPU flushes subnormals to zero.
  if (to === 'bool') return from === 'f32' ? `((bitcast<u32>(${x}) & 0x7fffffffu) != 0u)` : `${x} != 0i`;
  return to === 'f32' ? `f32(${x})` : f32ToI32(a, x);
}

/**
 * Math.pow: exp2(y log2|x|) for finite nonzero x, the limits of that for zero or
 * infinite x or y, the sign of x for odd integer y, NaN for a negative base
 * with a fractional exponent and for 1^inf, and 1 for y == 0 (even NaN x).
 */
function pow(a: RuleArgs): string {
  const [x, y] = a.x;
  const ax = a.temp(`abs(${x})`);
  const l = a.temp(`${y} * log2(${ax})`);
  const finite = `select(select(exp2(clamp(${l}, -150.0, 128.0)), 0.0, ${l} < -150.0), ${special(x, INF_BITS)}, ${l} >= 128.0)`;
  const towardInf = `(${ax} > 1.0) == (${y} > 0.0)`;
  const limit = `select(0.0, ${special(x, INF_BITS)}, ${towardInf})`;
  const atLimit = `${ax} == 0.0 || ${isInf(x)} || ${isInf(y)}`;
  const magnitude = a.temp(`select(${finite}, ${limit}, ${atLimit})`);
  const yInteger = a.temp(`floor(${y}) == ${y} && !${isInf(y)}`);
  const yOdd = a.temp(`${yInteger} && abs(${y}) < 16777216.0 && (i32(${y}) & 1i) != 0i`);
  const nan = `${isNan(x)} || ${isNan(y)} || (${x} < 0.0 && !${isInf(x)} && !${yInteger} && !${isInf(y)}) || (${ax} == 1.0 && ${isInf(y)})`;
  const value = `select(select(${magnitude}, -${magnitude}, ${yOdd} && ${signBit(x)}), ${special(x, NAN_BITS)}, ${nan})`;
  return `select(${value}, 1.0, ${y} == 0.0)`;
}

/** Either operand NaN (for the ops whose builtins leave NaN open). */
const eitherNan = (a: RuleArgs): string => `(${isNan(a.x[0])} || ${isNan(a.x[1])})`;

/** An f32 comparison that is false when either side is NaN, whatever the compiler assumes about NaN. */
const ordered = (op: string): Rule => (a) =>
  a.dtypes[0] === 'f32' ? `(${a.x[0]} ${op} ${a.x[1]} && !${eitherNan(a)})` : `(${a.x[0]} ${op} ${a.x[1]})`;

/**
 * max / min: the builtin for i32; for f32 NaN-propagating (a + b is NaN when
 * either is) and IEEE on zeros, max(-0, +0) = +0 and min(-0, +0) = -0, where
 * the builtins leave both open: two zeros combine their sign bits (and / or).
 */
const extremum = (fn: 'max' | 'min'): Rule => (a) => {
  const [x, y] = a.x;
  if (a.dtypes[0] !== 'f32') return `${fn}(${x}, ${y})`;
  const bothZero = `(((bitcast<u32>(${x}) | bitcast<u32>(${y})) & 0x7fffffffu) == 0u)`;
  const zero = `bitcast<f32>(bitcast<u32>(${x}) ${fn === 'max' ? '&' : '|'} bitcast<u32>(${y}))`;
  return `select(select(${fn}(${x}, ${y}), ${zero}, ${bothZero}), ${x} + ${y}, ${eitherNan(a)})`;
};

const unary = (f: (x: string, a: RuleArgs) => string): Rule => (a) => f(a.x[0], a);
const infix = (op: string): Rule => (a) => `(${a.x[0]} ${op} ${a.x[1]})`;
/** An arithmetic op: the infix operator for i32 (which wraps), the bit-checked rule for f32. */
const arithmetic =
  (op: string, f32Rule: (x: string, y: string, temp: (expr: string) => string) => string): Rule =>
  (a) =>
    a.dtypes[0] === 'f32' ? f32Rule(a.x[0], a.x[1], a.temp) : infix(op)(a);
const isI32 = (a: RuleArgs): boolean => a.dtypes[0] === 'i32';

const PRIMITIVE_RULES: Readonly<Record<string, Rule>> = {
  // Unary.
  neg: unary((x) => `-${x}`),
  abs: unary((x) => `abs(${x})`),
  exp: unary((x, a) => exp(a, x)),
  log: unary((x, a) => {
    // log(0) = -inf, log(+inf) = +inf, NaN below 0; the builtin sees only positive finite numbers.
    const l = a.temp(`log(select(${x}, 1.0, !(${x} > 0.0) || ${isInf(x)} || ${isNan(x)}))`);
    const edge = `select(select(${special(x, NAN_BITS)}, ${special(x, NEG_INF_BITS)}, ${x} == 0.0), ${x}, ${x} > 0.0)`;
    return `select(${l}, ${edge}, ${x} <= 0.0 || ${isInf(x)} || ${isNan(x)})`;
  }),
  sqrt: unary((x) => `select(sqrt(max(${x}, 0.0)), ${special(x, NAN_BITS)}, ${x} < 0.0 || ${isNan(x)})`),
  rsqrt: unary((x, a) => {
    const root = a.temp(`select(sqrt(max(${x}, 0.0)), ${special(x, NAN_BITS)}, ${x} < 0.0 || ${isNan(x)})`);
    // 1 / -0 is -inf like the reference; sqrt(-0) may lose the sign, so it is put back.
    return `1.0 / select(${root}, ${x}, ${x} == 0.0)`;
  }),
  square: unary((x) => `(${x} * ${x})`),
  erf: unary((x, a) => keepNan(x, `(${onePlusErf(a, x)} - 1.0)`)),
  floor: unary((x) => keepNan(x, `floor(${x})`)),
  ceil: unary((x) => keepNan(x, `ceil(${x})`)),
  // WGSL's round is half to even, like the reference.
  round: unary((x) => keepNan(x, `round(${x})`)),
  // +0 for both zeros, NaN for NaN.
  sign: unary((x, a) => (isI32(a) ? `sign(${x})` : keepNan(x, `select(select(0.0, 1.0, ${x} > 0.0), -1.0, ${x} < 0.0)`))),
  relu: unary((x, a) => (isI32(a) ? `max(${x}, 0i)` : reluF32(x))),
  // min(max(x, 0), 6): NaN stays NaN, -0 becomes +0.
  relu6: unary((x) => keepNan(x, `select(${reluF32(x)}, 6.0, ${x} > 6.0)`)),
  elu: (a) => elu(a, typedAttrs(OP.elu, a.attrs).alpha),
  sigmoid: unary((x, a) => sigmoid(a, x)),
  tanh: unary((x) => tanh(x)),
  softplus: unary((x, a) => softplus(a, x)),
  scale_shift: unary((x, a) => {
    const { scale, shift } = typedAttrs(OP.scale_shift, a.attrs);
    return scaleShift(a, x, scale, shift);
  }),
  // alpha * x checked on the bits: with alpha = 0 a compiler may fold it to 0 where -Inf gives NaN.
  leaky_relu: unary((x, a) => `select(${mulF32(x, a.temp(`f32(${floatLiteral(typedAttrs(OP.leaky_relu, a.attrs).alpha)})`), a.temp)}, ${x}, ${x} >= 0.0)`),
  clip: unary((x, a) => {
    const { min, max } = typedAttrs(OP.clip, a.attrs);
    return clipByValue(x, min, max);
  }),
  identity: unary((x) => x),
  dropout: unary((x) => x),
  logical_not: unary((x) => `!${x}`),
  cast: unary((x, a) => convert(a, x, a.dtypes[0], typedAttrs(OP.cast, a.attrs).to)),
  // Binary.
  add: arithmetic('+', addF32),
  sub: arithmetic('-', subF32),
  mul: arithmetic('*', mulF32),
  div: arithmetic('/', divF32),
  pow,
  maximum: extremum('max'),
  minimum: extremum('min'),
  equal: ordered('=='),
  not_equal: (a) => `!${ordered('==')(a)}`,
  less: ordered('<'),
  less_equal: ordered('<='),
  greater: ordered('>'),
  greater_equal: ordered('>='),
  logical_and: infix('&&'),
  logical_or: infix('||'),
  // Ternary.
  select: (a) => `select(${a.x[2]}, ${a.x[1]}, ${a.x[0]})`,
};

/** A composite op's rule: its decomposition evaluated through the primitive rules, each step in a `let`. */
function compositeRule(op: string): Rule {
  return (a) =>
    expandElementwise(op, [...a.x], [...a.dtypes], a.attrs, (name, x, dtypes, attrs) => {
      const rule = PRIMITIVE_RULES[name];
      if (!rule) throw new Error(`the webgpu target has no rule for '${name}', which '${op}' is made of`);
      return a.temp(rule({ x, dtypes, attrs, temp: a.temp }));
    });
}

const RULES: Readonly<Record<string, Rule>> = {
  ...PRIMITIVE_RULES,
  ...Object.fromEntries(compositeOps().map((op) => [op, compositeRule(op)])),
};

/** The ops the rules evaluate. */
export const ELEMENTWISE_GPU_OPS: readonly string[] = Object.keys(RULES);

/** Float attributes that become WGSL constants, by op (these ops have no others). */
const FLOAT_ATTRS: Readonly<Partial<Record<string, (attrs: Attrs) => Readonly<Record<string, number>>>>> = {
  elu: (a) => typedAttrs(OP.elu, a),
  leaky_relu: (a) => typedAttrs(OP.leaky_relu, a),
  clip: (a) => typedAttrs(OP.clip, a),
  scale_shift: (a) => typedAttrs(OP.scale_shift, a),
};

/** Why the webgpu target cannot evaluate this elementwise node, or null when it can. */
export function elementwiseGpuUnsupported(node: Node): string | null {
  if (!(node.op in RULES)) return `the webgpu target does not support op '${node.op}' yet`;
  for (const p of primitivesOf(node.op, node.inputs.map((v) => v.type.dtype), node.attrs)) {
    for (const [name, v] of Object.entries(FLOAT_ATTRS[p.op]?.(p.attrs) ?? {})) {
      if (!Number.isFinite(v)) return `the webgpu target does not support op '${node.op}' with a non-finite '${name}' (${v})`;
    }
  }
  return null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * WGSL statements evaluating elementwise `nodes` in order. `env` maps value
 * id -> a WGSL expression of that value's scalar (f32 | i32 | bool in
 * registers); for each node result it emits `let v<id> = ...;` and adds
 * `v<id>` to env. Names `v<id>` and `v<id>_<k>` belong to the nodes' values.
 */
export function emitElementwiseStatements(nodes: readonly Node[], env: Map<number, string>): string {
  const lines: string[] = [];
  const nameOnce = (id: number, expr: string): string => {
    if (IDENT.test(expr)) return expr;
    lines.push(`let v${id} = ${expr};`);
    env.set(id, `v${id}`);
    return `v${id}`;
  };
  evaluateNodes(
    'webgpu',
    RULES,
    nodes,
    env,
    (rule, node, x) => {
      const result = node.outputs[0];
      let temps = 0;
      const temp = (expr: string): string => {
        const name = `v${result.id}_${temps++}`;
        lines.push(`let ${name} = ${expr};`);
        return name;
      };
      const value = rule({ x, dtypes: node.inputs.map((v) => v.type.dtype), attrs: node.attrs, temp });
      lines.push(`let v${result.id}: ${registerType(result.type.dtype)} = ${value};`);
      return `v${result.id}`;
    },
    nameOnce,
  );
  return lines.join('\n');
}

/** WGSL scalar type of a dtype in registers: f32, i32, bool. */
export function registerType(dtype: DType): string {
  return dtype === 'bool' ? 'bool' : dtype;
}

/** The storage element a dtype's natural binding has (bool: bytes packed in u32 words). */
export type StorageElement = 'f32' | 'i32' | 'u32';

export function naturalElement(dtype: DType): StorageElement {
  return dtype === 'bool' ? 'u32' : dtype;
}

/**
 * WGSL expression loading element `index` (a u32 expression) of the array
 * `name` declared with `element`, as a register value of `dtype` (bool
 * unpacks its byte; a word array of another type is reinterpreted).
 */
export function loadAs(name: string, element: StorageElement, dtype: DType, index: string): string {
  if (dtype === 'bool') return `(((${name}[(${index}) / 4u] >> (((${index}) % 4u) * 8u)) & 0xffu) != 0u)`;
  const word = `${name}[${index}]`;
  return element === dtype ? word : `bitcast<${dtype}>(${word})`;
}

/** WGSL expression loading element `index` of binding `name` of `dtype` (its natural element) as a register value. */
export function loadElement(name: string, dtype: DType, index: string): string {
  return loadAs(name, naturalElement(dtype), dtype, index);
}

/** The store of an f32 / i32 register value into element `index` of `name` declared with `element`. */
export function storeAs(name: string, element: StorageElement, dtype: DType, index: string, value: string): string {
  if (dtype === 'bool') throw new Error('bool values are stored four to a word by their kernel');
  return `${name}[${index}] = ${element === dtype ? value : `bitcast<${element}>(${value})`};`;
}

/** The store statement of an f32 / i32 register value into element `index` of its natural binding `name`. */
export function storeElement(name: string, dtype: DType, index: string, value: string): string {
  return storeAs(name, naturalElement(dtype), dtype, index, value);
}
