/**
 * A `scan` body on the GPU: its values live in the body's own memory plan,
 * placed in one temp range of the scan node; invariants (and views of them)
 * are read where the scan's operands are, so nothing copies them; `const`
 * nodes are weights. Every body node is compiled once by the target's own
 * kernel table (`emitNested`) and the scan repeats its dispatches per step.
 */
import type { Graph, Value } from '../../../compiler/ir/graph.js';
import { getOp } from '../../../compiler/ir/op.js';
import { planMemory } from '../../../compiler/plan/index.js';
import { addAffine } from '../../../compiler/plan/affine.js';
import { bodyFacts, firstInvariant, rootOf } from '../../common/scan_body.js';
import type { GpuDispatch, GpuEmitContext, Region } from './context.js';
import { copyBytesDispatch } from './copy_bytes.js';

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
    return { space: 'arena', offset: addAffine(memory.offset, entry.offset), size: entry.size };
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
