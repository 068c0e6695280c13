/**
 * A `scan` body on the GPU: its values live in the body's own memory plan,
 * placed in one temp range of the scan node; invariants (and views of them)
 * are read where the scan's operands are, so nothing copies them; `const`
 * nodes are weights. Every body node is compiled once by the target's own
 * kernel table (`emitNested`) and the scan repeats its dispatches per step.
 */
import { graphFacts } from '../../../compiler/ir/constants.js';
import { attr } from '../../../compiler/ir/attrs.js';
import type { Graph, Node, Value } from '../../../compiler/ir/graph.js';
import { getOp } from '../../../compiler/ir/op.js';
import { planMemory, type MemoryPlan } from '../../../compiler/plan/index.js';
import type { GpuDispatch, GpuEmitContext, GpuKernelEmitter, GraphFacts, Region } from './context.js';
import { copyBytesDispatch } from './copy_bytes.js';

/** The target's kernel table (kernels/index.ts `gpuKernelFor`). */
export type GpuKernelLookup = (node: Node, facts: GraphFacts) => GpuKernelEmitter | string;

/** The index of the scan's first invariant operand (states and sequences come before). */
export function firstInvariant(scan: Node): number {
  return attr.int(scan.attrs, 'num_states') + attr.int(scan.attrs, 'num_sequences');
}

/** Facts inside the body: an invariant is constant when the scan's operand is. */
export function bodyFacts(scan: Node, body: Graph, outer: GraphFacts): GraphFacts {
  const first = firstInvariant(scan);
  return graphFacts(body, (i) => (i >= first ? outer.constant(scan.inputs[i]) : undefined));
}

/** Why a body cannot be compiled (naming the op), or null. */
export function bodyUnsupported(scan: Node, body: Graph, outer: GraphFacts, lookup: GpuKernelLookup): string | null {
  const facts = bodyFacts(scan, body, outer);
  for (const node of body.nodes) {
    const def = getOp(node.op);
    if (def.readsWeight || def.view) continue;
    // Both loops would read their step from the one uniform `P.t`.
    if (def.hasBody && node.op === scan.op) return `the webgpu target does not support a '${scan.op}' nested in a '${scan.op}' body`;
    const found = lookup(node, facts);
    if (typeof found === 'string') return `${found} (inside a '${scan.op}' body)`;
  }
  return null;
}

/** Follows views back to the value whose buffer they share. */
function rootOf(plan: MemoryPlan, v: Value): number {
  let id = v.id;
  for (let entry = plan.values.get(id); entry?.aliasOf !== undefined; entry = plan.values.get(id)) id = entry.aliasOf;
  return id;
}

export interface CompiledBody {
  /** Where a body value's bytes are. */
  locate(v: Value): Region;
  /** The dispatches of one step, in body order, without their step. */
  dispatches: GpuDispatch[];
}

export function compileBody(ctx: GpuEmitContext, body: Graph): CompiledBody {
  const scan = ctx.node;
  const plan = planMemory(body);
  const memory = ctx.temp(plan.arena);
  const producers = body.producers();
  const inputIndex = new Map(body.inputs.map((v, i) => [v.id, i]));
  const first = firstInvariant(scan);

  const locate = (v: Value): Region => {
    const producer = producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) return ctx.weight(producer);
    const entry = plan.values.get(v.id);
    if (!entry) throw new Error(`scan body value %${v.id} has no place in the body's memory plan`);
    const input = inputIndex.get(rootOf(plan, v));
    if (input !== undefined && input >= first) return { ...ctx.region(scan.inputs[input]), size: entry.size };
    const offset = { base: memory.offset.base + entry.offset.base, perBatch: memory.offset.perBatch + entry.offset.perBatch };
    return { space: 'arena', offset, size: entry.size };
  };

  const facts = bodyFacts(scan, body, ctx);
  const dispatches: GpuDispatch[] = [];
  body.nodes.forEach((node, j) => {
    const def = getOp(node.op);
    if (def.readsWeight) return;
    if (def.view) {
      // A view of a weight has its own bytes in the body plan (weights are not aliased).
      if (plan.values.get(node.outputs[0].id)?.aliasOf === undefined) {
        dispatches.push(copyBytesDispatch(`${ctx.label} body ${j} ${node.op} (copy of a weight)`, locate(node.inputs[0]), locate(node.outputs[0])));
      }
      return;
    }
    dispatches.push(...ctx.emitNested(node, locate, facts));
  });
  return { locate, dispatches };
}
