/**
 * softmax / log_softmax along any axis (the batch axis too), per row of the
 * row view in three passes: the row maximum (NaN-propagating), the sum of
 * exp(x - max), then the results. The reference turns a whole row into NaN
 * when its maximum is not finite (a NaN, an inf - inf, or all -inf), so that
 * case is tested once per row instead of trusting the driver's inf arithmetic.
 */
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { GpuKernelEmitter } from './context.js';
import { RowKernel, rowView } from './reduce_rows.js';
import { extremumFunction, IS_NAN, literal, lowest, operatorFunction } from './reduce_scalars.js';

/**
 * exp of a shifted value is taken at no less than this: below it f32 exp is
 * zero or subnormal anyway, and some drivers' exp(-inf) is not 0.
 */
const EXP_FLOOR = -88;

export function softmaxKernel(log: boolean): GpuKernelEmitter {
  return {
    unsupported: () => null,
    emit(ctx) {
      const { node } = ctx;
      const shape = node.inputs[0].type.shape;
      const axis = normalizeAxis(attrsOf(node, OP.softmax, OP.log_softmax).axis, shape.length);
      const kernel = new RowKernel(rowView(shape, new Set([axis])));
      const exp = (shifted: string): string => `exp(max(${shifted}, ${literal(EXP_FLOOR, 'f32')}))`;
      const value = log ? 'shifted - log(total)' : `${exp('shifted')} / total`;
      const body = [
        `var top = ${lowest('f32')};`,
        kernel.eachElement(`top = max_nan(top, x[${kernel.at('k')}]);`),
        kernel.across('top', 'partial', 'max_nan'),
        'var total = 0f;',
        kernel.eachElement(`total += ${exp(`x[${kernel.at('k')}] - top`)};`),
        kernel.across('total', 'partial', 'add'),
        // Exponent bits all ones: +-inf or NaN.
        'let finite = (bitcast<u32>(top) & 0x7f800000u) != 0x7f800000u;',
        kernel.eachElement(
          `let i = ${kernel.at('k')};\nlet shifted = x[i] - top;\ny[i] = select(${literal(NaN, 'f32')}, ${value}, finite);`,
        ),
      ].join('\n');
      const declarations = [IS_NAN, extremumFunction('max_nan', 'max', 'f32'), operatorFunction('add', '+', 'f32'), ...kernel.shared('partial', 'f32')];
      return [kernel.dispatch(ctx.label, [ctx.operand(0, 'x'), ctx.result(0, 'y')], declarations, body)];
    },
  };
}
