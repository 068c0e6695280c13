/**
 * f32 add, sub, mul and div whose NaN and infinite cases are decided on the
 * bits, so they hold whatever a finite-math shader compiler folds. Tint and
 * SwiftShader do fold: `(x - x) + x` gave `x` for x = Inf (NaN in IEEE).
 * The arithmetic result is taken only where both operands are finite (and,
 * for mul / div, where no 0 * Inf or 0 / 0 is involved); there every
 * identity a compiler may apply (`x - x = 0`, `x + -x = 0`, `x / x = 1` for
 * x != 0, `x * 0 = 0`, `x - 0 = x`, `x * 1 = x`) is exact up to the sign of
 * a zero, which mul and div put back from the operands' signs (leaky_relu's
 * `alpha * x` keeps -0 with alpha = 0); the policy leaves the zero sign of
 * add and sub open (docs/OPS.md, "Special values"). Every other result is
 * built from the operands' bits.
 */
import { INF_BITS, isInf, isNan, isNonFinite, isZero, NAN_BITS, negated, signedOfProduct, special, withProductSign } from './float_bits.js';

type Temp = (expr: string) => string;

const either = (test: (v: string) => string, x: string, y: string): string => `(${test(x)} || ${test(y)})`;

/** x + y: NaN for a NaN operand or Inf + -Inf, else the infinite operand where there is one. */
export function addF32(x: string, y: string, temp: Temp): string {
  const nan = `${either(isNan, x, y)} || (${isInf(x)} && ${isInf(y)} && bitcast<u32>(${x}) != bitcast<u32>(${y}))`;
  const infinite = `select(${y}, ${x}, ${isInf(x)})`;
  const nonFinite = temp(`select(${infinite}, ${special(x, NAN_BITS)}, ${nan})`);
  return `select(${x} + ${y}, ${nonFinite}, ${either(isNonFinite, x, y)})`;
}

/** x - y as x + (-y), the negation made on the bits. */
export function subF32(x: string, y: string, temp: Temp): string {
  const minusY = temp(negated(y));
  const nan = `${either(isNan, x, y)} || (${isInf(x)} && ${isInf(y)} && bitcast<u32>(${x}) == bitcast<u32>(${y}))`;
  const infinite = `select(${minusY}, ${x}, ${isInf(x)})`;
  const nonFinite = temp(`select(${infinite}, ${special(x, NAN_BITS)}, ${nan})`);
  return `select(${x} - ${y}, ${nonFinite}, ${either(isNonFinite, x, y)})`;
}

/** x * y: NaN for a NaN operand or 0 * Inf, else a signed Inf for an infinite operand. */
export function mulF32(x: string, y: string, temp: Temp): string {
  const nan = `${either(isNan, x, y)} || (${isInf(x)} && ${isZero(y)}) || (${isZero(x)} && ${isInf(y)})`;
  const nonFinite = temp(`select(${signedOfProduct(x, y, INF_BITS)}, ${special(x, NAN_BITS)}, ${nan})`);
  return `select(${withProductSign(x, y, `${x} * ${y}`)}, ${nonFinite}, ${either(isNonFinite, x, y)})`;
}

/** x / y: NaN for a NaN operand, 0 / 0 and Inf / Inf; a signed Inf for Inf / y or x / 0; a signed 0 for x / Inf. */
export function divF32(x: string, y: string, temp: Temp): string {
  const nan = `${either(isNan, x, y)} || (${isZero(x)} && ${isZero(y)}) || (${isInf(x)} && ${isInf(y)})`;
  const infinite = `select(${signedOfProduct(x, y, INF_BITS)}, ${signedOfProduct(x, y, '0u')}, ${isInf(y)})`;
  const nonFinite = temp(`select(${infinite}, ${special(x, NAN_BITS)}, ${nan})`);
  return `select(${withProductSign(x, y, `${x} / ${y}`)}, ${nonFinite}, ${either(isNonFinite, x, y)} || ${isZero(y)})`;
}
