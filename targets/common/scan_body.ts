/**
 * What both targets need to know about a `scan` body before compiling it:
 * which body inputs are weights (the facts its kernels see), whether every
 * body node has a kernel, and which planned buffer a body value lives in.
 */
import { graphFacts, type GraphFacts } from '../../compiler/ir/constants.js';
import type { Graph, Node, Value } from '../../compiler/ir/graph.js';
import { attrsOf } from '../../compiler/ir/node_attrs.js';
import { getOp } from '../../compiler/ir/op.js';
import { OP } from '../../compiler/ir/op_types.js';
import { planMemory, type MemoryPlan } from '../../compiler/plan/index.js';
import type { KernelRegistry } from './kernel_registry.js';

/** The index of the scan's first invariant operand (states and sequences come before). */
export function firstInvariant(scan: Node): number {
  const counts = attrsOf(scan, OP.scan);
  return counts.num_states + counts.num_sequences;
}

/** Facts inside the body: an invariant is constant when the scan's operand is. */
export function bodyFacts(scan: Node, body: Graph, outer: GraphFacts): GraphFacts {
  const first = firstInvariant(scan);
  return graphFacts(body, (i) => (i >= first ? outer.constant(scan.inputs[i]) : undefined));
}

/** What a target can do inside a loop body beyond its kernel table. */
export interface BodyAbilities {
  /** Whether it copies a view of a weight into the body's memory (else such a view is refused). */
  copiesWeightViews: boolean;
}

/** Why `scan`'s body cannot be compiled by the registry's target (naming the op), or null. */
export function bodyUnsupported<E>(scan: Node, body: Graph, outer: GraphFacts, registry: KernelRegistry<E>, abilities: BodyAbilities): string | null {
  const facts = bodyFacts(scan, body, outer);
  const where = `a '${scan.op}' body`;
  const plan = abilities.copiesWeightViews ? undefined : planMemory(body);
  for (const node of body.nodes) {
    const def = getOp(node.op);
    if (def.readsWeight) continue;
    if (def.view) {
      if (plan && plan.values.get(node.outputs[0].id)?.aliasOf === undefined) {
        return `the ${registry.target} target does not support a '${node.op}' view of a weight inside ${where} yet`;
      }
      continue;
    }
    // Both loops would share the per-step state (the step uniform, the arena extension).
    if (def.hasBody && node.op === scan.op) return `the ${registry.target} target does not support a '${scan.op}' nested in ${where}`;
    const found = registry.kernelFor(node, facts);
    if (typeof found === 'string') return `${found} (inside ${where})`;
  }
  return null;
}

/** Follows views back to the value whose buffer they share. */
export function rootOf(plan: MemoryPlan, v: Value): number {
  let id = v.id;
  for (let entry = plan.values.get(id); entry?.aliasOf !== undefined; entry = plan.values.get(id)) id = entry.aliasOf;
  return id;
}
