/**
 * The reference interpreter: runs each node's reference semantics in order.
 * It is the oracle every compiled target is tested against, so it does
 * nothing clever: no fusion, no buffer reuse, one op at a time.
 */
import type { Graph } from '../ir/graph.js';
import { getOp, type RefContext } from '../ir/op.js';
import type { Tensor } from '../ir/tensor.js';
import { formatShape, formatType, type TensorType } from '../ir/types.js';
import { outOfRangeIndexInput } from './index_inputs.js';
import { checkInterpreterBatch } from '../plan/fit.js';

/** A model input that does not fit the graph's signature. */
export class InputMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputMismatchError';
  }
}

function signature(g: Graph): string {
  return `(${g.inputs.map((v) => `${v.name ?? '?'}: ${formatType(v.type)}`).join(', ')})`;
}

/** Finds the batch size the inputs imply, checking count, dtype, rank and static sizes. */
export function bindBatch(g: Graph, inputs: readonly Tensor[]): number {
  if (inputs.length !== g.inputs.length) {
    throw new InputMismatchError(`expected ${g.inputs.length} input(s) ${signature(g)}, got ${inputs.length}`);
  }
  let batch: number | undefined;
  g.inputs.forEach((v, i) => {
    const t = inputs[i];
    const want: TensorType = v.type;
    const label = `input ${i} '${v.name ?? i}'`;
    if (t.dtype !== want.dtype) {
      throw new InputMismatchError(`${label} must be ${want.dtype}, got ${t.dtype}; expected ${signature(g)}`);
    }
    if (t.shape.length !== want.shape.length) {
      throw new InputMismatchError(
        `${label} must have rank ${want.shape.length} ${formatShape(want.shape)}, got shape ${formatShape(t.shape)}`,
      );
    }
    want.shape.forEach((d, k) => {
      const got = t.shape[k];
      if (d === 'N') {
        // As Keras's predict refuses empty input, and the runtime a batch of 0.
        if (got === 0) throw new InputMismatchError(`${label} has batch size 0; the batch size must be at least 1`);
        if (batch === undefined) batch = got;
        else if (batch !== got) {
          throw new InputMismatchError(`${label} has batch size ${got}, but an earlier input has ${batch}`);
        }
      } else if (d !== got) {
        throw new InputMismatchError(`${label} must have shape ${formatShape(want.shape)}, got ${formatShape(t.shape)}`);
      }
    });
  });
  return batch ?? 1;
}

function runGraph(g: Graph, inputs: readonly Tensor[], batch: number): Tensor[] {
  const env = new Map<number, Tensor>();
  g.inputs.forEach((v, i) => env.set(v.id, inputs[i]));
  const ctx: RefContext = {
    batch,
    weight: (name) => readWeight(g, name),
    runBody: (body, bodyInputs) => runGraph(body, bodyInputs, batch),
  };
  for (const node of g.nodes) {
    const args = node.inputs.map((v) => {
      const t = env.get(v.id);
      if (!t) throw new Error(`interpreter: value used before definition in ${node.op}`);
      return t;
    });
    const results = getOp(node.op).reference(args, node.attrs, ctx, node.body);
    node.outputs.forEach((v, k) => env.set(v.id, results[k]));
  }
  return g.outputs.map((o) => env.get(o.value.id)!);
}

function readWeight(g: Graph, ref: string): Tensor {
  const t = g.weights.get(ref);
  if (!t) throw new Error(`weight '${ref}' has no data`);
  return t;
}

/** Runs a graph on concrete inputs (in graph input order); returns outputs in graph output order. */
export function interpret(g: Graph, inputs: readonly Tensor[]): Tensor[] {
  const batch = bindBatch(g, inputs);
  checkInterpreterBatch(g, batch);
  const badIndex = outOfRangeIndexInput(g, inputs);
  if (badIndex) throw new InputMismatchError(badIndex);
  return runGraph(g, inputs, batch);
}
