/**
 * batch_norm that the folding pass left in place (inference form): one
 * invocation per element, the channel being the element's coordinate on
 * `axis`: (x - mean) * (gamma / sqrt(variance + epsilon)) + beta.
 */
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { countAffine, countExpr, dimExpr, productExpr } from '../shape_exprs.js';
import type { GpuKernelEmitter } from './context.js';
import { literal } from './reduce_scalars.js';

const LANES = 64;

export const batchNormKernel: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { node } = ctx;
    const shape = node.inputs[0].type.shape;
    const axis = normalizeAxis(attrsOf(node, OP.batch_norm).axis, shape.length);
    const inner = productExpr(shape.slice(axis + 1));
    const position = inner === '1u' ? 'gi' : `(gi / ${inner})`;
    const epsilon = literal(attrsOf(node, OP.batch_norm).epsilon, 'f32');
    const body = [
      `if (gi < ${countExpr(shape)}) {`,
      `  let c = ${position} % ${dimExpr(shape[axis])};`,
      `  let scale = gamma[c] / sqrt(variance[c] + ${epsilon});`,
      '  y[gi] = (x[gi] - mean[c]) * scale + beta[c];',
      '}',
    ].join('\n');
    const names = ['x', 'mean', 'variance', 'gamma', 'beta'];
    return [
      {
        label: ctx.label,
        bindings: [...names.map((name, i) => ctx.operand(i, name)), ctx.result(0, 'y')],
        shader: { workgroupSize: [LANES], body },
        grid: [{ ...countAffine(shape), per: LANES }],
      },
    ];
  },
};
