/**
 * Op family 'recurrent' (see docs/OPS.md): `scan`, the loop every recurrent
 * layer lowers to. The loop stays a loop in the IR: the step is a body graph
 * run once per time step, never unrolled.
 */
import { IRError } from '../ir/errors.js';
import type { Graph } from '../ir/graph.js';
import { defineOp } from '../ir/define_op.js';
import type { OpAttrs } from '../ir/op_types.js';
import { allocData, sizeOf, type Tensor } from '../ir/tensor.js';
import type { Dim, TensorType } from '../ir/types.js';
import { formatType, resolveShape, sameType } from '../ir/types.js';

interface ScanLayout {
  numStates: number;
  numSequences: number;
  /** Sequence length: axis 1 of every sequence. */
  steps: number;
}

function layoutOf(inputs: readonly { shape: readonly Dim[] }[], attrs: OpAttrs['scan']): ScanLayout {
  const numStates = attrs.num_states;
  const numSequences = attrs.num_sequences;
  if (numStates < 0) throw new IRError(`num_states must be >= 0, got ${numStates}`);
  if (numSequences < 1) throw new IRError(`num_sequences is ${numSequences}, but scan needs at least one sequence`);
  if (numStates + numSequences > inputs.length) {
    throw new IRError(`num_states=${numStates} plus num_sequences=${numSequences} is more than the ${inputs.length} operand(s)`);
  }
  let steps = -1;
  for (let k = 0; k < numSequences; k++) {
    const shape = inputs[numStates + k].shape;
    if (shape.length < 2) throw new IRError(`sequence ${k} must be [N, T, ...], got rank ${shape.length}`);
    const t = shape[1];
    if (t === 'N') throw new IRError(`sequence ${k} has the batch N as its time axis; T must be a static size`);
    if (steps >= 0 && t !== steps) throw new IRError(`sequence ${k} has ${t} time steps but sequence 0 has ${steps}`);
    steps = t;
  }
  return { numStates, numSequences, steps };
}

/** What the body must take: the states, each sequence without its time axis, the invariants. */
function bodyInputTypes(inputs: TensorType[], layout: ScanLayout): { type: TensorType; role: string }[] {
  const { numStates, numSequences } = layout;
  return inputs.map((t, i) => {
    if (i < numStates) return { type: t, role: `state ${i}` };
    if (i < numStates + numSequences) {
      const shape = t.shape.filter((_, axis) => axis !== 1);
      return { type: { dtype: t.dtype, shape }, role: `sequence ${i - numStates} slice` };
    }
    return { type: t, role: `invariant ${i - numStates - numSequences}` };
  });
}

/** Checks the body against the operands and returns the scan's result types. */
function scanTypes(inputs: TensorType[], attrs: OpAttrs['scan'], body: Graph | undefined): TensorType[] {
  if (!body) throw new IRError('scan needs a body graph');
  const layout = layoutOf(inputs, attrs);
  const expected = bodyInputTypes(inputs, layout);
  if (body.inputs.length !== expected.length) {
    throw new IRError(
      `the body takes ${body.inputs.length} input(s) but scan passes ${expected.length} ` +
        `(${layout.numStates} state(s), ${layout.numSequences} sequence slice(s), ` +
        `${expected.length - layout.numStates - layout.numSequences} invariant(s))`,
    );
  }
  expected.forEach(({ type, role }, i) => {
    const got = body.inputs[i].type;
    if (!sameType(got, type)) {
      throw new IRError(`body input ${i} (${role}) is ${formatType(got)} but scan passes ${formatType(type)}`);
    }
  });
  const outs = body.outputs.map((o) => o.value.type);
  if (outs.length < layout.numStates) {
    throw new IRError(`the body returns ${outs.length} value(s) but scan has ${layout.numStates} state(s)`);
  }
  const results: TensorType[] = [];
  for (let i = 0; i < layout.numStates; i++) {
    if (!sameType(outs[i], inputs[i])) {
      throw new IRError(
        `body result ${i} (new state ${i}) is ${formatType(outs[i])} but state ${i} is ${formatType(inputs[i])}; ` +
          'a state must keep its type from step to step',
      );
    }
    results.push(inputs[i]);
  }
  outs.slice(layout.numStates).forEach((t, k) => {
    if (t.shape.length < 1) throw new IRError(`step output ${k} is a scalar; it needs a batch axis to stack along`);
    results.push({ dtype: t.dtype, shape: [t.shape[0], layout.steps, ...t.shape.slice(1)] });
  });
  return results;
}

/** `seq[:, t]` of a `[B, T, ...]` tensor. */
function timeSlice(seq: Tensor, t: number): Tensor {
  const [batch, steps, ...rest] = seq.shape;
  const inner = sizeOf(rest);
  const data = allocData(seq.dtype, batch * inner);
  for (let b = 0; b < batch; b++) {
    const src = (b * steps + t) * inner;
    data.set(seq.data.subarray(src, src + inner), b * inner);
  }
  return { dtype: seq.dtype, shape: [batch, ...rest], data };
}

/** Stacks `[B, ...]` step results into `[B, T, ...]`, step `i` at time index `i`. */
function stackSteps(stepShape: number[], dtype: TensorType['dtype'], steps: Tensor[]): Tensor {
  const [batch, ...rest] = stepShape;
  const inner = sizeOf(rest);
  const count = steps.length;
  const data = allocData(dtype, batch * count * inner);
  steps.forEach((s, i) => {
    for (let b = 0; b < batch; b++) {
      data.set(s.data.subarray(b * inner, (b + 1) * inner), (b * count + i) * inner);
    }
  });
  return { dtype, shape: [batch, count, ...rest], data };
}

/**
 * `scan(states..., sequences..., invariants...){num_states, num_sequences, reverse}`
 * with a body graph. Sequences are `[N, T, ...]`; at step `t` (from `T-1` down
 * to `0` when `reverse`) the body receives `(states..., sequences[:, t]...,
 * invariants...)` and returns `(new states..., step outputs...)`. Results: the
 * final states, then each step output stacked to `[N, T, ...]` in processing
 * order (so reversed in time when `reverse`). A SimpleRNN:
 *
 *   %0, %1 = scan(%h0, %x, %w, %u) {num_states=1, num_sequences=1, reverse=false} : f32[N,8], f32[N,5,8] {
 *     graph @step(%h: f32[N,8], %xt: f32[N,3], %kernel: f32[3,8], %recurrent: f32[8,8]) -> (h: f32[N,8], y: f32[N,8]) {
 *       %2 = matmul(%xt, %kernel) {transpose_a=false, transpose_b=false} : f32[N,8]
 *       %3 = matmul(%h, %recurrent) {transpose_a=false, transpose_b=false} : f32[N,8]
 *       %4 = add(%2, %3) : f32[N,8]
 *       %5 = tanh(%4) : f32[N,8]
 *       return %5, %5
 *     }
 *   }
 */
defineOp({
  name: 'scan',
  doc: 'Runs the body once per time step over sequences, carrying states; stacks the step outputs.',
  attrs: {
    num_states: { kind: 'int', doc: 'leading operands carried from step to step' },
    num_sequences: { kind: 'int', doc: 'operands after the states, sliced along axis 1 (time)' },
    reverse: { kind: 'bool', default: false, doc: 'process time steps from last to first' },
  },
  arity: { min: 1 },
  hasBody: true,
  infer(inputs, attrs, body) {
    return scanTypes(inputs, attrs, body);
  },
  reference(inputs, attrs, ctx, body) {
    if (!body) throw new IRError('scan needs a body graph');
    const { numStates, numSequences, steps } = layoutOf(inputs, attrs);
    const reverse = attrs.reverse;
    let states = inputs.slice(0, numStates);
    const sequences = inputs.slice(numStates, numStates + numSequences);
    const invariants = inputs.slice(numStates + numSequences);
    const stepOutputs = body.outputs.slice(numStates).map((): Tensor[] => []);
    for (let i = 0; i < steps; i++) {
      const t = reverse ? steps - 1 - i : i;
      const results = ctx.runBody(body, [...states, ...sequences.map((s) => timeSlice(s, t)), ...invariants]);
      states = results.slice(0, numStates);
      results.slice(numStates).forEach((r, k) => stepOutputs[k].push(r));
    }
    const stacked = stepOutputs.map((list, k) => {
      const type = body.outputs[numStates + k].value.type;
      return stackSteps(resolveShape(type.shape, ctx.batch), type.dtype, list);
    });
    return [...states, ...stacked];
  },
});
