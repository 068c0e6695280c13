/**
 * argmax along one axis, as i32. The reference scans the row keeping the
 * first strictly greater element, so a NaN never wins unless it is element 0
 * (which then wins outright). Here each element is a (value, index) pair and
 * pairs combine by larger value, then smaller index: an order-free rule that
 * can be folded per invocation and then across the workgroup. NaNs are
 * skipped, and a NaN first element, or a row of NaNs, gives 0.
 */
import { attr } from '../../../compiler/ir/attrs.js';
import { normalizeAxis } from '../../../compiler/ir/types.js';
import type { GpuKernelEmitter } from './context.js';
import { scalarOf } from './reduce_ops.js';
import { RowKernel, rowView } from './reduce_rows.js';
import { IS_NAN, lowest, type ScalarType } from './reduce_scalars.js';

/** The index of a pair that holds no element yet. */
const NONE = '0xffffffffu';

function declarations(type: ScalarType): string[] {
  return [
    `struct Best {\n  value: ${type},\n  index: u32,\n}`,
    IS_NAN,
    'fn better(a: Best, b: Best) -> Best {\n  if (b.value > a.value || (b.value == a.value && b.index < a.index)) {\n    return b;\n  }\n  return a;\n}',
  ];
}

export const argmaxKernel: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { node } = ctx;
    const shape = node.inputs[0].type.shape;
    const axis = normalizeAxis(attr.int(node.attrs, 'axis'), shape.length);
    const kernel = new RowKernel(rowView(shape, new Set([axis])));
    const type = scalarOf(node);
    const offer = type === 'f32' ? 'if (!is_nan(v)) {\n  best = better(best, Best(v, k));\n}' : 'best = better(best, Best(v, k));';
    const firstIsNan = type === 'f32' ? ` || is_nan(x[start])` : '';
    const body = [
      `var best = Best(${lowest(type)}, ${NONE});`,
      kernel.eachElement(`let v = x[${kernel.at('k')}];\n${offer}`),
      kernel.across('best', 'partial', 'better'),
      kernel.once(`if (best.index == ${NONE}${firstIsNan}) {\n  best.index = 0u;\n}\ny[row] = i32(best.index);`),
    ].join('\n');
    const bindings = [ctx.operand(0, 'x'), ctx.result(0, 'y')];
    return [kernel.dispatch(ctx.label, bindings, [...declarations(type), ...kernel.shared('partial', 'Best')], body)];
  },
};
