/**
 * WGSL expressions that decide f32 special values on the bits. WGSL lets an
 * implementation assume floats are finite, so a float comparison or
 * arithmetic identity may be folded as if NaN and infinities did not exist;
 * integer tests on `bitcast<u32>` are not. Special results are made from bit
 * patterns at run time: WGSL rejects an infinite or NaN constant, so
 * `special` mixes in an operand's bits (and discards them) to keep the value
 * out of constant folding.
 */

export const NAN_BITS = '0x7fc00000u';
export const INF_BITS = '0x7f800000u';
export const NEG_INF_BITS = '0xff800000u';

const bits = (x: string): string => `bitcast<u32>(${x})`;

export const isNan = (x: string): string => `((${bits(x)} & 0x7fffffffu) > 0x7f800000u)`;
export const isInf = (x: string): string => `((${bits(x)} & 0x7fffffffu) == 0x7f800000u)`;
/** NaN or an infinity (the exponent is all ones). */
export const isNonFinite = (x: string): string => `((${bits(x)} & 0x7f800000u) == 0x7f800000u)`;
/** +0 or -0. */
export const isZero = (x: string): string => `((${bits(x)} & 0x7fffffffu) == 0u)`;
export const signBit = (x: string): string => `((${bits(x)} >> 31u) == 1u)`;
/** An f32 with the given bits, made at run time from `x` (see the file comment). */
export const special = (x: string, bitsExpr: string): string => `bitcast<f32>(${bitsExpr} | (${bits(x)} & 0u))`;
/** `expr`, or NaN where `x` is NaN (for builtins whose NaN result WGSL leaves open). */
export const keepNan = (x: string, expr: string): string => `select(${expr}, ${x}, ${isNan(x)})`;
/** An infinity or a zero (`magnitude` is INF_BITS or 0u) with the sign of x * y, as IEEE gives for x * y and x / y. */
export const signedOfProduct = (x: string, y: string, magnitude: string): string =>
  `bitcast<f32>(${magnitude} | ((${bits(x)} ^ ${bits(y)}) & 0x80000000u))`;
/** `value` (a product or quotient of x and y) with the sign IEEE gives it, which `x * 0 = 0` may have lost. */
export const withProductSign = (x: string, y: string, value: string): string =>
  `bitcast<f32>((${bits(value)} & 0x7fffffffu) | ((${bits(x)} ^ ${bits(y)}) & 0x80000000u))`;
/** `x` with its sign bit flipped (an exact negation, NaN and infinities included). */
export const negated = (x: string): string => `bitcast<f32>(${bits(x)} ^ 0x80000000u)`;
