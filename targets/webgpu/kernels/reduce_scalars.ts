/**
 * WGSL scalars for the reduction kernels: literals and NaN-propagating max /
 * min, since WGSL leaves max(NaN, x) to the implementation while the
 * reference (Math.max / Math.min) returns NaN.
 *
 * WGSL rejects a constant expression that is infinite or NaN, so those values
 * are bit patterns mixed with (and discarding) the bits of the uniform `P.n`:
 * a run-time value, still uniform, that constant folding cannot see through.
 */

export type ScalarType = 'f32' | 'i32';

const special = (bits: string): string => `bitcast<f32>(${bits} | (P.n & 0u))`;

/** A WGSL literal of `value` as `type` (f32 infinities and NaN as bit patterns). */
export function literal(value: number, type: ScalarType): string {
  if (type === 'i32') {
    // -2^31 has no literal form: it would be the negation of an out-of-range 2147483648i.
    return value === -2147483648 ? 'bitcast<i32>(0x80000000u)' : `${value}i`;
  }
  if (Number.isNaN(value)) return special('0x7fc00000u');
  if (value === Infinity) return special('0x7f800000u');
  if (value === -Infinity) return special('0xff800000u');
  return `${value}f`;
}

/** The smallest and largest values of a type: identities of max and min. */
export const lowest = (type: ScalarType): string => literal(type === 'f32' ? -Infinity : -2147483648, type);
export const highest = (type: ScalarType): string => literal(type === 'f32' ? Infinity : 2147483647, type);

/** `is_nan(x)`, by the bits, so no compiler may assume NaNs away. */
export const IS_NAN = 'fn is_nan(x: f32) -> bool {\n  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;\n}';

/** A two-operand WGSL function `name(a, b)` of `type` that is max or min, NaN-propagating on f32. */
export function extremumFunction(name: string, which: 'max' | 'min', type: ScalarType): string {
  const body = type === 'f32' ? `select(select(${which}(a, b), b, is_nan(b)), a, is_nan(a))` : `${which}(a, b)`;
  return `fn ${name}(a: ${type}, b: ${type}) -> ${type} {\n  return ${body};\n}`;
}

/** A two-operand WGSL function `name(a, b)` of `type` applying an infix operator. */
export function operatorFunction(name: string, operator: '+' | '*', type: ScalarType): string {
  return `fn ${name}(a: ${type}, b: ${type}) -> ${type} {\n  return a ${operator} b;\n}`;
}
