/**
 * The recurrent `scan` as one kernel: a loop over the T time steps (last to
 * first when `reverse`) that per step
 *   1. copies the carried states (kept in the scan's final-state results)
 *      into the body's state inputs,
 *   2. gathers each sequence's slice x[:, t] into its body input (a strided
 *      copy per batch item), and copies the invariants body kernels read,
 *   3. calls the body's kernels (scan_body.ts),
 *   4. copies the new states back to the final-state results, and each step
 *      output to index i (processing order) of its [N, T, ...] result.
 * States go through the results rather than straight from body output to body
 * input because the body's plan may reuse a dead state input's buffer for
 * another new state; the outer results never overlap the body's region.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { bytesPerElement, type TensorType } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { Getter } from '../func.js';
import type { KernelRegistry } from '../../common/kernel_registry.js';
import { bodyFacts, bodyUnsupported } from '../../common/scan_body.js';
import type { EmitContext, GraphFacts, KernelEmitter } from './context.js';
import { compileBody } from './scan_body.js';

type Kernels = KernelRegistry<KernelEmitter>;

/** Bytes of one batch item along the leading axis (`N` or static) of a type, or why not. */
function itemBytes(type: TensorType, skipAxis?: number): number | string {
  let count = bytesPerElement(type.dtype);
  for (let a = 1; a < type.shape.length; a++) {
    const d = type.shape[a];
    if (d === 'N') return `the batch N must be the first axis, got [${type.shape.join(',')}]`;
    if (a !== skipAxis) count *= d;
  }
  return count;
}

/** Rows (leading axis) of a value: the batch, or a static count. */
function rows(ctx: EmitContext, type: TensorType): Expr {
  const lead = type.shape[0];
  return lead === 'N' ? ctx.batch() : ctx.module.i32.const(lead ?? 1);
}

function check(node: Node, facts: GraphFacts, kernels: Kernels): string | null {
  const body = node.body;
  if (!body) return 'scan node without a body';
  const types = [...node.inputs, ...node.outputs, ...body.inputs, ...body.outputs.map((o) => o.value)].map((v) => v.type);
  for (const t of types) {
    if (t.shape.length === 0) return "the wasm target does not support 'scan' over scalar values";
    const why = itemBytes(t);
    if (typeof why === 'string') return `the wasm target does not support 'scan' here: ${why}`;
  }
  return bodyUnsupported(node, body, facts, kernels, { copiesWeightViews: false });
}

function emit(ctx: EmitContext, kernels: Kernels): Expr {
  const { module: m, node, fn } = ctx;
  const body = node.body;
  if (!body) throw new Error('scan node without a body');
  const { num_states: numStates, num_sequences: numSequences, reverse } = attrsOf(node, OP.scan);
  const steps = node.inputs[numStates].type.shape[1] as number;
  const compiled = compileBody(ctx, body, bodyFacts(node, body, ctx), kernels.kernelFor);
  const base = ctx.extension(compiled.plan.arena);
  const batch = ctx.batch;
  const at = (i: number): Expr => compiled.address(body.inputs[i], base, batch);
  const outAt = (k: number): Expr => compiled.address(body.outputs[k].value, base, batch);
  const bytes = (type: TensorType): Expr => m.i32.mul(rows(ctx, type), m.i32.const(itemBytes(type) as number));

  const step = fn.local(binaryen.i32);
  const time = fn.local(binaryen.i32);
  const item = fn.local(binaryen.i32);
  /** For each batch item b: copy `inner` bytes from src(b) to dst(b). */
  const perItem = (count: Expr, copy: (b: Getter) => Expr, label: string): Expr =>
    m.block(null, [
      fn.set(item, m.i32.const(0)),
      m.loop(
        label,
        m.block(null, [
          copy(fn.getter(item)),
          fn.set(item, m.i32.add(fn.get(item), m.i32.const(1))),
          m.br(label, m.i32.lt_s(fn.get(item), count)),
        ]),
      ),
    ]);
  // Byte offset of element (b, t) of a [rows, T, ...] tensor whose items are `inner` bytes.
  const rowOffset = (b: Getter, t: Getter, inner: number): Expr =>
    m.i32.mul(m.i32.add(m.i32.mul(b(), m.i32.const(steps)), t()), m.i32.const(inner));

  const initial = node.outputs.slice(0, numStates).map((v, s) => m.memory.copy(ctx.result(s)(), ctx.operand(s)(), bytes(v.type)));
  const perStep: Expr[] = [];
  node.outputs.slice(0, numStates).forEach((v, s) => perStep.push(m.memory.copy(at(s), ctx.result(s)(), bytes(v.type))));
  for (let q = 0; q < numSequences; q++) {
    const seq = node.inputs[numStates + q].type;
    const inner = itemBytes(seq, 1) as number;
    perStep.push(
      perItem(
        rows(ctx, seq),
        (b) =>
          m.memory.copy(
            m.i32.add(at(numStates + q), m.i32.mul(b(), m.i32.const(inner))),
            m.i32.add(ctx.operand(numStates + q)(), rowOffset(b, fn.getter(time), inner)),
            m.i32.const(inner),
          ),
        `gather${q}`,
      ),
    );
  }
  for (let i = numStates + numSequences; i < node.inputs.length; i++) {
    if (compiled.readRoots.has(body.inputs[i].id)) perStep.push(m.memory.copy(at(i), ctx.operand(i)(), bytes(node.inputs[i].type)));
  }
  perStep.push(...compiled.calls(base, batch));
  node.outputs.slice(0, numStates).forEach((v, s) => perStep.push(m.memory.copy(ctx.result(s)(), outAt(s), bytes(v.type))));
  node.outputs.slice(numStates).forEach((v, k) => {
    const inner = itemBytes(v.type, 1) as number;
    perStep.push(
      perItem(
        rows(ctx, v.type),
        (b) =>
          m.memory.copy(
            m.i32.add(ctx.result(numStates + k)(), rowOffset(b, fn.getter(step), inner)),
            m.i32.add(outAt(numStates + k), m.i32.mul(b(), m.i32.const(inner))),
            m.i32.const(inner),
          ),
        `stack${k}`,
      ),
    );
  });

  const timeOf = reverse ? m.i32.sub(m.i32.const(steps - 1), fn.get(step)) : fn.get(step);
  const loop =
    steps === 0
      ? m.nop()
      : m.block(null, [
          fn.set(step, m.i32.const(0)),
          m.loop(
            'steps',
            m.block(null, [
              fn.set(time, timeOf),
              ...perStep,
              fn.set(step, m.i32.add(fn.get(step), m.i32.const(1))),
              m.br('steps', m.i32.lt_s(fn.get(step), m.i32.const(steps))),
            ]),
          ),
        ]);
  return m.block(null, [...initial, loop]);
}

/** The scan kernel; it compiles its body with `kernels`, the same table as top-level kernels. */
export function scanKernel(kernels: Kernels): KernelEmitter {
  return {
    unsupported: (node, facts) => check(node, facts, kernels),
    emit: (ctx) => emit(ctx, kernels),
  };
}
