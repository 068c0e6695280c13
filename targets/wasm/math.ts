/**
 * f32x4 approximations of the transcendental functions, each a range
 * reduction plus a short polynomial, accurate to a few f32 ulps (well inside
 * the conformance rule rtol 1e-4 / atol 1e-5) and NaN-propagating like the
 * reference. Special values (0, +-inf, NaN, subnormals) follow Math.*.
 */
import type { Expr } from './binaryen.js';
import type { Getter } from './func.js';
import type { VecBuilder } from './vec.js';

const LOG2E = 1.4426950408889634;
// ln 2 split so that n * LN2_HI is exact for the n exp and log meet (Cephes' split).
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const SQRT2 = 1.4142135623730951;
const MIN_NORMAL = 1.1754943508222875e-38;

/** Horner's rule: c[0] + x*(c[1] + x*(c[2] + ...)). */
function horner(b: VecBuilder, x: Getter, coefficients: readonly number[]): Expr {
  const f = b.m.f32x4;
  let acc = b.f32(coefficients[coefficients.length - 1]);
  for (let i = coefficients.length - 2; i >= 0; i--) acc = f.add(f.mul(acc, x()), b.f32(coefficients[i]));
  return acc;
}

/**
 * e^x: n = round(x / ln2), r = x - n ln2 in [-0.35, 0.35], e^r by its degree-6
 * Taylor polynomial (error < 2e-7), times 2^n applied in two halves so that
 * results near the f32 limits (overflow to inf, gradual underflow) come out right.
 */
export function exp(b: VecBuilder, x: Getter): Expr {
  const { f32x4: f, i32x4: i } = b.m;
  const xc = b.let(f.min(f.max(x(), b.f32(-104)), b.f32(89)));
  const n = b.let(f.nearest(f.mul(xc(), b.f32(LOG2E))));
  const r = b.let(f.sub(f.sub(xc(), f.mul(n(), b.f32(LN2_HI))), f.mul(n(), b.f32(LN2_LO))));
  const p = horner(b, r, [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720]);
  const ni = b.let(i.trunc_sat_f32x4_s(n()));
  const half = b.let(i.shr_s(ni(), b.m.i32.const(1)));
  const scale = (e: Expr): Expr => i.shl(i.add(e, b.i32(127)), b.m.i32.const(23));
  return f.mul(f.mul(p, scale(half())), scale(i.sub(ni(), half())));
}

/**
 * ln x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s) with
 * s = (m-1)/(m+1), |s| < 0.172, by an odd series to s^9. Subnormals are
 * scaled by 2^23 first; 0 gives -inf, negatives NaN, +inf stays +inf.
 */
export function log(b: VecBuilder, x: Getter): Expr {
  const { f32x4: f, i32x4: i, v128 } = b.m;
  const small = b.let(f.lt(x(), b.f32(MIN_NORMAL)));
  const xs = b.let(b.select(small(), f.mul(x(), b.f32(2 ** 23)), x()));
  const exponent = i.sub(i.shr_u(xs(), b.m.i32.const(23)), b.i32(127));
  const e0 = b.let(i.add(exponent, v128.and(small(), b.i32(-23))));
  const m0 = b.let(v128.or(v128.and(xs(), b.i32(0x007fffff)), b.i32(0x3f800000)));
  const big = b.let(f.gt(m0(), b.f32(SQRT2)));
  const m = b.let(b.select(big(), f.mul(m0(), b.f32(0.5)), m0()));
  const e = b.let(f.convert_i32x4_s(i.sub(e0(), big())));
  const fm = b.let(f.sub(m(), b.f32(1)));
  const s = b.let(f.div(fm(), f.add(fm(), b.f32(2))));
  const s2 = b.let(f.mul(s(), s()));
  const series = f.mul(s(), horner(b, s2, [2, 2 / 3, 2 / 5, 2 / 7, 2 / 9]));
  const value = b.let(f.add(f.mul(e(), b.f32(LN2_HI)), f.add(series, f.mul(e(), b.f32(LN2_LO)))));
  const withZero = b.select(f.eq(x(), b.f32(0)), b.f32(-Infinity), value());
  const withNegative = b.select(f.lt(x(), b.f32(0)), b.f32(NaN), withZero);
  const withInf = b.select(f.eq(x(), b.f32(Infinity)), b.f32(Infinity), withNegative);
  return b.select(f.ne(x(), x()), x(), withInf);
}

/** ln(1 + y) for y >= 0 without losing small y: log(u) * y / (u - 1) with u = 1 + y (Goldberg's trick). */
export function log1p(b: VecBuilder, y: Getter): Expr {
  const f = b.m.f32x4;
  const u = b.let(f.add(y(), b.f32(1)));
  const d = b.let(f.sub(u(), b.f32(1)));
  const lu = b.let(log(b, u));
  return b.select(f.eq(d(), b.f32(0)), y(), f.mul(lu(), f.div(y(), d())));
}

/** 1 / (1 + e^-x), taking exp of -|x| only so neither tail overflows. */
export function sigmoid(b: VecBuilder, x: Getter): Expr {
  const f = b.m.f32x4;
  const negAbs = b.let(f.neg(f.abs(x())));
  const e = b.let(exp(b, negAbs));
  const inv = b.let(f.div(b.f32(1), f.add(e(), b.f32(1))));
  return b.select(f.ge(x(), b.f32(0)), inv(), f.mul(e(), inv()));
}

/** log(1 + e^x) = max(x, 0) + log1p(e^-|x|). */
export function softplus(b: VecBuilder, x: Getter): Expr {
  const f = b.m.f32x4;
  const negAbs = b.let(f.neg(f.abs(x())));
  const e = b.let(exp(b, negAbs));
  return f.add(f.max(x(), b.f32(0)), log1p(b, e));
}

/**
 * tanh x: an odd Taylor polynomial below |x| = 0.125 (where 1 - 2/(e^2x + 1)
 * would cancel), else sign(x) (1 - 2 / (e^{2|x|} + 1)).
 */
export function tanh(b: VecBuilder, x: Getter): Expr {
  const { f32x4: f, v128 } = b.m;
  const a = b.let(f.abs(x()));
  const e = b.let(exp(b, () => f.add(a(), a())));
  const large = f.sub(b.f32(1), f.div(b.f32(2), f.add(e(), b.f32(1))));
  const signed = v128.or(large, v128.and(x(), b.i32(-0x80000000)));
  const x2 = b.let(f.mul(x(), x()));
  const small = f.mul(x(), horner(b, x2, [1, -1 / 3, 2 / 15, -17 / 315]));
  return b.select(f.lt(a(), b.f32(0.125)), small, signed);
}

/**
 * erfc(|z|) by Abramowitz & Stegun 7.1.26: t = 1/(1 + p|z|),
 * erfc = t(a1 + t(a2 + ...)) e^{-z^2}, absolute error below 1.5e-7.
 */
function erfcAbs(b: VecBuilder, z: Getter): Expr {
  const f = b.m.f32x4;
  const t = b.let(f.div(b.f32(1), f.add(b.f32(1), f.mul(b.f32(0.3275911), f.abs(z())))));
  const poly = f.mul(t(), horner(b, t, [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429]));
  return f.mul(poly, exp(b, () => f.neg(f.mul(z(), z()))));
}

/** erf z = sign(z) (1 - erfc|z|). */
export function erf(b: VecBuilder, z: Getter): Expr {
  const { f32x4: f, v128 } = b.m;
  const q = b.let(erfcAbs(b, z));
  const magnitude = f.sub(b.f32(1), q());
  return b.select(f.ne(z(), z()), z(), v128.or(magnitude, v128.and(z(), b.i32(-0x80000000))));
}

/** e^x - 1: exact enough for elu under the tolerance rule (absolute error ~6e-8 near 0). */
export function expm1(b: VecBuilder, x: Getter): Expr {
  return b.m.f32x4.sub(exp(b, x), b.f32(1));
}
