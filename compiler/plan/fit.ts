/**
 * Refuses, before any code is generated, a memory plan that cannot fit a
 * target's memory at batch 1: a tensor larger than the limit is named (its
 * op, type and name), otherwise the arena as a whole. Past this point target
 * code may assume every offset fits the target's address space.
 */
import type { Graph } from '../ir/graph.js';
import { formatType } from '../ir/types.js';
import { getOp } from '../ir/op.js';
import { INTERPRETER_MEMORY_LIMIT_BYTES, LimitError, formatBytes } from '../limits.js';
import { evalAffine } from './affine.js';
import type { MemoryPlan } from './plan.js';

/** `reservedBytes` is what the target places before the arena (weights, scratch). */
export function checkPlanFits(g: Graph, plan: MemoryPlan, target: string, limitBytes: number, reservedBytes = 0): void {
  const limit = `the ${target} target's limit is ${formatBytes(limitBytes)}`;
  for (const node of g.nodes) {
    for (const v of node.outputs) {
      const entry = plan.values.get(v.id);
      const bytes = entry ? evalAffine(entry.size, 1) : 0;
      if (bytes > limitBytes) {
        const name = v.name !== undefined ? ` '${v.name}'` : '';
        throw new LimitError(`the ${node.op} result${name} ${formatType(v.type)} needs ${formatBytes(bytes)} at batch 1; ${limit} — make the model smaller`);
      }
    }
  }
  const total = reservedBytes + evalAffine(plan.arena, 1);
  if (total > limitBytes) {
    throw new LimitError(`the model needs ${formatBytes(total)} of ${target} memory at batch 1 (activations and weights); ${limit} — make the model smaller`);
  }
}

/**
 * Refuses a batch the reference interpreter (`tfc run`) would need more than
 * INTERPRETER_MEMORY_LIMIT_BYTES for, before it allocates anything: it keeps
 * every value of the graph, so that is the sum of their sizes (4-byte elements).
 */
export function checkInterpreterBatch(g: Graph, batch: number): void {
  let total = 0;
  for (const node of g.nodes) {
    if (getOp(node.op).readsWeight) continue;
    for (const v of node.outputs) total += 4 * v.type.shape.reduce<number>((n, d) => n * (d === 'N' ? batch : d), 1);
  }
  if (total > INTERPRETER_MEMORY_LIMIT_BYTES) {
    throw new LimitError(`batch ${batch} needs ${formatBytes(total)} in the interpreter; the limit is ${formatBytes(INTERPRETER_MEMORY_LIMIT_BYTES)} — split the batch`);
  }
}
