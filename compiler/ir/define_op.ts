/**
 * `defineOp`: registers an op whose callbacks receive its attributes typed
 * (`OpAttrs[name]`, generated from the same schema) instead of the untyped
 * record, so a definition reads `attrs.perm` rather than a string key.
 * (Composite elementwise ops, which `decompose`, keep `registerOp`.)
 */
import type { Graph } from './graph.js';
import { registerOp, type OpDef, type RefContext } from './op.js';
import type { OpAttrs, OpName } from './op_types.js';
import { typedAttrs } from './node_attrs.js';
import type { Tensor } from './tensor.js';
import type { TensorType } from './types.js';

type Callbacks = 'name' | 'inPlaceOperands' | 'infer' | 'verify' | 'reference';

export interface TypedOpDef<K extends OpName> extends Omit<OpDef, Callbacks> {
  name: K;
  inPlaceOperands?(inputs: TensorType[], attrs: OpAttrs[K], body?: Graph): number[];
  infer(inputs: TensorType[], attrs: OpAttrs[K], body?: Graph): TensorType[];
  verify?(inputs: TensorType[], attrs: OpAttrs[K], body?: Graph): void;
  reference(inputs: Tensor[], attrs: OpAttrs[K], ctx: RefContext, body?: Graph): Tensor[];
}

export function defineOp<K extends OpName>(def: TypedOpDef<K>): OpDef {
  const { name, inPlaceOperands, infer, verify, reference, ...rest } = def;
  const op: OpDef = {
    ...rest,
    name,
    infer: (inputs, attrs, body) => infer.call(def, inputs, typedAttrs(name, attrs), body),
    reference: (inputs, attrs, ctx, body) => reference.call(def, inputs, typedAttrs(name, attrs), ctx, body),
  };
  if (inPlaceOperands) op.inPlaceOperands = (inputs, attrs, body) => inPlaceOperands.call(def, inputs, typedAttrs(name, attrs), body);
  if (verify) op.verify = (inputs, attrs, body) => verify.call(def, inputs, typedAttrs(name, attrs), body);
  return registerOp(op);
}
