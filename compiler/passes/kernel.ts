/**
 * Shared by the fusion passes: turns a group of nodes of one graph into one
 * `fused` node carrying the group as its body (see compiler/ops/fused.ts for
 * the body contract), and restores a topological node order afterwards.
 */
import { GraphBuilder } from '../ir/builder.js';
import type { Graph, Node, Value } from '../ir/graph.js';
import { replaceAllUses } from './pass.js';

/**
 * Replaces `members` (nodes of `g`, in topological order) by one `fused` node
 * computing them, placed where the last member was, and redirects every use
 * of each value in `results` to the matching kernel result. Operands are the
 * values the members read from outside the group, in order of first use.
 */
export function installKernel(g: Graph, members: readonly Node[], results: readonly Value[]): Node {
  const inside = new Set<number>();
  for (const node of members) for (const v of node.outputs) inside.add(v.id);
  const body = g.childGraph('kernel');
  const inner = new Map<number, Value>();
  const operands: Value[] = [];
  for (const node of members) {
    for (const v of node.inputs) {
      if (inside.has(v.id) || inner.has(v.id)) continue;
      const param = body.newValue(v.type);
      body.inputs.push(param);
      inner.set(v.id, param);
      operands.push(v);
    }
  }
  const bodyBuilder = new GraphBuilder(body);
  for (const node of members) {
    const copy = bodyBuilder.makeNode(
      node.op,
      node.inputs.map((v) => inner.get(v.id)!),
      node.attrs,
    );
    body.nodes.push(copy);
    node.outputs.forEach((v, k) => inner.set(v.id, copy.outputs[k]));
  }
  results.forEach((v, k) => body.addOutput(`r${k}`, inner.get(v.id)!));
  const name = members.map((n) => n.op).join('+');
  const kernel = new GraphBuilder(g).makeNode('fused', operands, { name }, body);
  results.forEach((v, k) => replaceAllUses(g, v, kernel.outputs[k]));
  const last = members[members.length - 1];
  const removed = new Set(members);
  g.nodes = g.nodes.flatMap((n) => (n === last ? [kernel] : removed.has(n) ? [] : [n]));
  return kernel;
}

/**
 * Reorders `g.nodes` topologically, keeping the current order wherever it is
 * already valid (each step takes the earliest node whose operands are all
 * defined), so the result is deterministic. Throws when the graph has a cycle.
 */
export function restoreTopologicalOrder(g: Graph): void {
  const defined = new Set<number>(g.inputs.map((v) => v.id));
  const pending = [...g.nodes];
  const ordered: Node[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((n) => n.inputs.every((v) => defined.has(v.id)));
    if (i < 0) throw new Error(`graph @${g.name} has a cycle after fusion`);
    const [node] = pending.splice(i, 1);
    ordered.push(node);
    for (const v of node.outputs) defined.add(v.id);
  }
  g.nodes = ordered;
}
