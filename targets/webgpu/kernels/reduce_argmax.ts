/**
 * argmax along one axis, as i32: the first NaN of the row if it has one,
 * else the first maximum. Each element becomes a (key, index) pair, the key
 * an unsigned integer in the order of the values (NaN above +Inf, both zeros
 * equal), and pairs combine by larger key, then smaller index: an order-free
 * rule that can be folded per invocation and then across the workgroup.
 * Keys compare as integers, so no float comparison (which WGSL lets a
 * compiler assume finite, and which lost NaNs on SwiftShader) is involved.
 */
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { GpuKernelEmitter } from './context.js';
import { scalarOf } from './reduce_ops.js';
import { RowKernel, rowView } from './reduce_rows.js';
import type { ScalarType } from './reduce_scalars.js';

/** The index of a pair that holds no element yet (its key 0 is below every value's). */
const NONE = '0xffffffffu';

/**
 * `order_key(v)`: i32 flips its sign bit; f32 maps negatives to ~bits and
 * positives to bits | 2^31, with NaN the largest key and -0 made +0.
 */
function orderKey(type: ScalarType): string {
  if (type === 'i32') return 'fn order_key(v: i32) -> u32 {\n  return bitcast<u32>(v) ^ 0x80000000u;\n}';
  return [
    'fn order_key(v: f32) -> u32 {',
    '  let bits = bitcast<u32>(v);',
    '  let magnitude = bits & 0x7fffffffu;',
    '  if (magnitude > 0x7f800000u) {',
    '    return 0xffffffffu;',
    '  }',
    '  if (magnitude == 0u) {',
    '    return 0x80000000u;',
    '  }',
    '  return select(bits | 0x80000000u, ~bits, bits != magnitude);',
    '}',
  ].join('\n');
}

function declarations(type: ScalarType): string[] {
  return [
    'struct Best {\n  key: u32,\n  index: u32,\n}',
    orderKey(type),
    'fn better(a: Best, b: Best) -> Best {\n  if (b.key > a.key || (b.key == a.key && b.index < a.index)) {\n    return b;\n  }\n  return a;\n}',
  ];
}

export const argmaxKernel: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { node } = ctx;
    const shape = node.inputs[0].type.shape;
    const axis = normalizeAxis(attrsOf(node, OP.argmax).axis, shape.length);
    const kernel = new RowKernel(rowView(shape, new Set([axis])));
    const type = scalarOf(node);
    const body = [
      `var best = Best(0u, ${NONE});`,
      kernel.eachElement(`best = better(best, Best(order_key(x[${kernel.at('k')}]), k));`),
      kernel.across('best', 'partial', 'better'),
      kernel.once(`y[row] = i32(best.index);`),
    ].join('\n');
    const bindings = [ctx.operand(0, 'x'), ctx.result(0, 'y')];
    return [kernel.dispatch(ctx.label, bindings, [...declarations(type), ...kernel.shared('partial', 'Best')], body)];
  },
};
