/**
 * The recurrent `scan` on the GPU: T is static, so the loop is unrolled into
 * the dispatch list and runs with no CPU round trip. Step t (reading t as
 * `P.t`) is:
 *   1. copy the carried states into the body's state inputs: the operands at
 *      step 0, afterwards the scan's final-state results, which carry them;
 *   2. gather each sequence's slice x[:, t] (T-1-t when reversed) into its
 *      body input;
 *   3. the body's own dispatches (scan_body.ts);
 *   4. copy the new states to the final-state results, and stack each step
 *      output into its [rows, T, ...] result at index t (processing order).
 * States go through the results rather than straight from body output to
 * body input because the body's plan may put one new state in the buffer of
 * another state input that died; the results never overlap the body's memory.
 */
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { bytesPerElement, formatType, type TensorType } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { GpuDispatch, GpuEmitContext, GpuKernelEmitter, GraphFacts } from './context.js';
import { copyBytesDispatch } from './copy_bytes.js';
import type { KernelRegistry } from '../../common/kernel_registry.js';
import { bodyUnsupported } from '../../common/scan_body.js';
import { compileBody } from './scan_body.js';
import { timeSliceDispatch, type TimeSliceLayout } from './scan_slices.js';

/** The layout of a `[rows, T, ...]` tensor's per-step items, or why the copy kernels cannot move them. */
function sliceLayout(type: TensorType, steps: number): TimeSliceLayout | string {
  const [rows, , ...rest] = type.shape;
  if (rest.includes('N')) return `the batch N must be the leading axis, got ${formatType(type)}`;
  const bytes = (rest as number[]).reduce((p, d) => p * d, bytesPerElement(type.dtype));
  if (bytes % 4 !== 0) return `a time step of ${formatType(type)} is ${bytes} bytes, not whole 4-byte words`;
  return { rows, steps, itemWords: bytes / 4 };
}

/** The sliced operands (sequences) and results (stacked step outputs) of a scan. */
function slicedValues(node: Node): Value[] {
  const { num_states: numStates, num_sequences: numSequences } = attrsOf(node, OP.scan);
  return [...node.inputs.slice(numStates, numStates + numSequences), ...node.outputs.slice(numStates)];
}

function stepsOf(node: Node): number {
  return node.inputs[attrsOf(node, OP.scan).num_states].type.shape[1] as number;
}

function check(node: Node, facts: GraphFacts, kernels: KernelRegistry<GpuKernelEmitter>): string | null {
  if (!node.body) return `'${node.op}' node without a body`;
  for (const v of slicedValues(node)) {
    const layout = sliceLayout(v.type, stepsOf(node));
    if (typeof layout === 'string') return `the webgpu target does not support '${node.op}' here: ${layout}`;
  }
  return bodyUnsupported(node, node.body, facts, kernels, { copiesWeightViews: true });
}

function layoutOf(v: Value, steps: number): TimeSliceLayout {
  const layout = sliceLayout(v.type, steps);
  if (typeof layout === 'string') throw new Error(layout);
  return layout;
}

function emit(ctx: GpuEmitContext): GpuDispatch[] {
  const { node, label } = ctx;
  const body = node.body;
  if (!body) throw new Error(`${label}: '${node.op}' node without a body`);
  const { num_states: numStates, num_sequences: numSequences, reverse } = attrsOf(node, OP.scan);
  const steps = stepsOf(node);
  const states = node.outputs.slice(0, numStates);
  if (steps === 0) return states.map((v, s) => copyBytesDispatch(`${label} state ${s} (no steps)`, ctx.region(node.inputs[s]), ctx.region(v)));

  const compiled = compileBody(ctx, body);
  const out: GpuDispatch[] = [];
  for (let t = 0; t < steps; t++) {
    const at = `${label} t=${t}`;
    const stepOf = (d: GpuDispatch): GpuDispatch => ({ ...d, step: t });
    states.forEach((v, s) => {
      const carried = t === 0 ? node.inputs[s] : v;
      out.push(stepOf(copyBytesDispatch(`${at} state ${s} in`, ctx.region(carried), compiled.locate(body.inputs[s]))));
    });
    for (let q = 0; q < numSequences; q++) {
      const seq = node.inputs[numStates + q];
      out.push(timeSliceDispatch(`${at} sequence ${q}`, { kind: 'gather', reverse }, layoutOf(seq, steps), ctx.region(seq), compiled.locate(body.inputs[numStates + q]), t));
    }
    out.push(...compiled.dispatches.map((d) => ({ ...d, label: `${at} ${d.label}`, step: t })));
    states.forEach((v, s) => {
      out.push(stepOf(copyBytesDispatch(`${at} state ${s} out`, compiled.locate(body.outputs[s].value), ctx.region(v))));
    });
    node.outputs.slice(numStates).forEach((v, k) => {
      const stepOutput = body.outputs[numStates + k].value;
      out.push(timeSliceDispatch(`${at} output ${k}`, { kind: 'stack' }, layoutOf(v, steps), compiled.locate(stepOutput), ctx.region(v), t));
    });
  }
  return out;
}

/** The recurrent loop; compiles its body's nodes through the target's table `kernels` (passed in to avoid an import cycle). */
export function scanKernel(kernels: KernelRegistry<GpuKernelEmitter>): GpuKernelEmitter {
  return {
    unsupported: (node, facts) => check(node, facts, kernels),
    emit,
  };
}
