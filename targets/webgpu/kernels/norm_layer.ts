/**
 * layer_norm over any set of axes (normally the trailing ones), per row of
 * the row view in three passes like the reference: the mean, the biased
 * variance around it, then (x - mean) / sqrt(var + epsilon) * gamma + beta.
 * Element k of a row is also the index into gamma and beta: both are laid out
 * over the normalized axes in ascending order, as the row is.
 */
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { GpuKernelEmitter } from './context.js';
import { RowKernel, rowView } from './reduce_rows.js';
import { literal, operatorFunction } from './reduce_scalars.js';

export const layerNormKernel: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { node } = ctx;
    const shape = node.inputs[0].type.shape;
    const axes = new Set(attrsOf(node, OP.layer_norm).axes.map((a) => normalizeAxis(a, shape.length)));
    const kernel = new RowKernel(rowView(shape, axes));
    const count = `f32(${kernel.view.length})`;
    const epsilon = literal(attrsOf(node, OP.layer_norm).epsilon, 'f32');
    const body = [
      'var sum = 0f;',
      kernel.eachElement(`sum += x[${kernel.at('k')}];`),
      kernel.across('sum', 'partial', 'add'),
      `let mean = sum / ${count};`,
      'var squares = 0f;',
      kernel.eachElement(`let d = x[${kernel.at('k')}] - mean;\nsquares += d * d;`),
      kernel.across('squares', 'partial', 'add'),
      `let scale = 1f / sqrt(squares / ${count} + ${epsilon});`,
      kernel.eachElement(`let i = ${kernel.at('k')};\ny[i] = (x[i] - mean) * scale * gamma[k] + beta[k];`),
    ].join('\n');
    const bindings = [ctx.operand(0, 'x'), ctx.operand(1, 'gamma'), ctx.operand(2, 'beta'), ctx.result(0, 'y')];
    return [kernel.dispatch(ctx.label, bindings, [operatorFunction('add', '+', 'f32'), ...kernel.shared('partial', 'f32')], body)];
  },
};
