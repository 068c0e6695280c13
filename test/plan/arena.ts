/**
 * Runs a graph the way a planned target does: every planned value lives in
 * one arena at its planned offset, views are not copied (their bytes must
 * already be there), and results overwrite whatever the plan put at their
 * offset. Each node reads its operands out of the arena before writing its
 * results, as a kernel does. The arena starts filled with 0xff bytes (NaN
 * for f32), so reading bytes the plan let something else overwrite shows up
 * as wrong outputs when compared with the plain interpreter.
 */
import { bindBatch, interpret } from '../../compiler/interpreter/interpreter.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { getOp, type RefContext } from '../../compiler/ir/op.js';
import type { Tensor, TensorData } from '../../compiler/ir/tensor.js';
import { resolveShape } from '../../compiler/ir/types.js';
import { evalAffine } from '../../compiler/plan/affine.js';
import type { MemoryPlan } from '../../compiler/plan/plan.js';

export function runWithPlan(g: Graph, plan: MemoryPlan, inputs: readonly Tensor[]): Tensor[] {
  const batch = bindBatch(g, inputs);
  const arena = new ArrayBuffer(evalAffine(plan.arena, batch));
  new Uint8Array(arena).fill(0xff);
  const weights = new Map<number, Tensor>();

  const slot = (v: Value): TensorData => {
    const entry = plan.values.get(v.id);
    if (!entry) throw new Error(`value %${v.id} has no place in the plan`);
    const offset = evalAffine(entry.offset, batch);
    const count = evalAffine(entry.size, batch) / (v.type.dtype === 'bool' ? 1 : 4);
    if (v.type.dtype === 'f32') return new Float32Array(arena, offset, count);
    if (v.type.dtype === 'i32') return new Int32Array(arena, offset, count);
    return new Uint8Array(arena, offset, count);
  };
  const read = (v: Value): Tensor => {
    const known = weights.get(v.id);
    if (known) return known;
    return { dtype: v.type.dtype, shape: resolveShape(v.type.shape, batch), data: slot(v).slice() };
  };

  g.inputs.forEach((v, i) => slot(v).set(inputs[i].data));
  const ctx: RefContext = {
    batch,
    weight: (name) => {
      const t = g.weights.get(name);
      if (!t) throw new Error(`weight '${name}' has no data`);
      return t;
    },
    runBody: (body, bodyInputs) => interpret(body, bodyInputs),
  };
  for (const node of g.nodes) {
    const def = getOp(node.op);
    const results = def.reference(node.inputs.map(read), node.attrs, ctx, node.body);
    node.outputs.forEach((v, k) => {
      if (def.readsWeight) weights.set(v.id, results[k]);
      else if (plan.values.get(v.id)?.aliasOf === undefined) slot(v).set(results[k].data);
    });
  }
  return g.outputs.map((o) => read(o.value));
}
