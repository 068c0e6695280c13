/**
 * Elementwise ops that change or keep values without arithmetic: `cast`,
 * `logical_not`, and the inference-time no-ops `identity` and `dropout`.
 */
import { IRError } from '../../ir/errors.js';
import { typedAttrs } from '../../ir/node_attrs.js';
import { OP } from '../../ir/op_types.js';
import { DTYPES, type DType } from '../../ir/types.js';
import { defineUnary } from './define.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** f32 -> i32 as `cast` does it: truncated toward zero, saturated to the int32 range, NaN to 0. */
export function toInt32Saturating(x: number): number {
  return Number.isNaN(x) ? 0 : Math.min(Math.max(Math.trunc(x), INT32_MIN), INT32_MAX);
}

/**
 * How one value converts to each dtype: to i32 truncates toward zero and
 * saturates (NaN gives 0, as wasm's trunc_sat and WGSL do; TF.js would wrap
 * modulo 2^32), to bool is `x != 0` (NaN is true).
 */
const CONVERT: Record<DType, (x: number) => number> = {
  f32: (x) => x,
  i32: toInt32Saturating,
  bool: (x) => (x !== 0 ? 1 : 0),
};

defineUnary({
  name: 'cast',
  doc: 'Converts to dtype `to`: f32 to i32 truncates toward zero, saturating out of range, NaN to 0; to bool is `x != 0` (NaN is true); bool to numbers is 0 or 1.',
  attrs: { to: { kind: 'dtype' } },
  example: { to: 'i32' },
  dtypes: DTYPES,
  result: (_operand, a) => typedAttrs(OP.cast, a).to,
  fn: (x, a) => CONVERT[typedAttrs(OP.cast, a).to](x),
});

defineUnary({
  name: 'logical_not',
  doc: 'Boolean negation.',
  dtypes: ['bool'],
  fn: (x) => (x ? 0 : 1),
});

defineUnary({
  name: 'identity',
  doc: 'Returns its operand unchanged (the simplifier removes it).',
  dtypes: DTYPES,
  view: true,
  fn: (x) => x,
});

defineUnary({
  name: 'dropout',
  doc: 'Dropout at inference: the identity. `rate` (in [0, 1)) is kept for the record; the simplifier removes the op.',
  attrs: { rate: { kind: 'float' } },
  example: { rate: 0.5 },
  dtypes: DTYPES,
  view: true,
  fn: (x) => x,
  verify(a) {
    const { rate } = typedAttrs(OP.dropout, a);
    if (!(rate >= 0 && rate < 1)) throw new IRError(`dropout rate must be in [0, 1), got ${rate}`);
  },
});
