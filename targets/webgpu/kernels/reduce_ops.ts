/**
 * reduce_sum / reduce_mean / reduce_max / reduce_min / reduce_prod over any
 * set of axes (the batch axis too) on f32 and i32, one result per row of the
 * row view (reduce_rows.ts): each invocation folds its share of the row from
 * the identity, then the partial results are combined across the workgroup.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { GpuKernelEmitter } from './context.js';
import { RowKernel, rowView } from './reduce_rows.js';
import { extremumFunction, highest, IS_NAN, literal, lowest, operatorFunction, type ScalarType } from './reduce_scalars.js';

interface Reducer {
  identity(type: ScalarType): string;
  combine(type: ScalarType): string[];
  mean: boolean;
}

const REDUCERS: Readonly<Record<string, Reducer>> = {
  reduce_sum: { identity: (t) => literal(0, t), combine: (t) => [operatorFunction('combine', '+', t)], mean: false },
  reduce_mean: { identity: (t) => literal(0, t), combine: (t) => [operatorFunction('combine', '+', t)], mean: true },
  reduce_prod: { identity: (t) => literal(1, t), combine: (t) => [operatorFunction('combine', '*', t)], mean: false },
  reduce_max: { identity: lowest, combine: (t) => [IS_NAN, extremumFunction('combine', 'max', t)], mean: false },
  reduce_min: { identity: highest, combine: (t) => [IS_NAN, extremumFunction('combine', 'min', t)], mean: false },
};

/** The scalar type of a node's operand; the ops' type rules admit only f32 and i32 here. */
export function scalarOf(node: Node, operand = 0): ScalarType {
  const dtype = node.inputs[operand].type.dtype;
  if (dtype === 'bool') throw new Error(`'${node.op}' on bool values reached the webgpu reduction kernels`);
  return dtype;
}

export const reduceKernel: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { node } = ctx;
    const reducer = REDUCERS[node.op];
    const shape = node.inputs[0].type.shape;
    const axes = new Set(attrsOf(node, OP.reduce_sum, OP.reduce_mean, OP.reduce_max, OP.reduce_min, OP.reduce_prod).axes.map((a) => normalizeAxis(a, shape.length)));
    const kernel = new RowKernel(rowView(shape, axes));
    const type = scalarOf(node);
    const total = reducer.mean ? `acc / f32(${kernel.view.length})` : 'acc';
    const body = [
      `var acc = ${reducer.identity(type)};`,
      kernel.eachElement(`acc = combine(acc, x[${kernel.at('k')}]);`),
      kernel.across('acc', 'partial', 'combine'),
      kernel.once(`y[row] = ${total};`),
    ].join('\n');
    const bindings = [ctx.operand(0, 'x'), ctx.result(0, 'y')];
    return [kernel.dispatch(ctx.label, bindings, [...reducer.combine(type), ...kernel.shared('partial', type)], body)];
  },
};

export const REDUCE_OPS = Object.keys(REDUCERS);
