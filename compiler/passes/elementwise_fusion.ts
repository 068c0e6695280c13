/**
 * Elementwise fusion: groups connected elementwise ops (unary, binary and
 * ternary, with broadcasting operands) of one result shape into one `fused`
 * elementwise kernel, so a chain or DAG of them becomes a single loop.
 *
 * Groups grow in node order along producer -> consumer edges: an elementwise
 * node joins the groups of its elementwise producers that have its result
 * shape, if the union stays convex (no path leaves the group and comes back,
 * which would make the kernel depend on itself); otherwise it joins the first
 * of those groups it can, or starts its own. A value of the group used outside
 * it (or a graph output) becomes a kernel result. A lone elementwise op stays
 * as it is: a one-op kernel would gain nothing, and targets handle plain
 * elementwise ops anyway. Nodes already in kernels (`fused`) are not
 * elementwise, so the pass never refires on its own output. Assumes a
 * verified graph; works on the top-level graph only.
 */
import type { Graph, Node } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import { sameShape } from '../ir/types.js';
import { installKernel, restoreTopologicalOrder } from './kernel.js';
import type { Pass } from './pass.js';

type Group = Set<Node>;

function isCandidate(node: Node): boolean {
  return Boolean(getOp(node.op).elementwise) && !node.body && node.outputs.length === 1;
}

/**
 * True when no path runs from a member through non-members back to a member.
 * Nodes after the group's last member cannot lead back into it, so the search
 * stops there.
 */
function isConvex(group: Group, users: Map<number, Node[]>, position: Map<Node, number>): boolean {
  let last = 0;
  for (const m of group) last = Math.max(last, position.get(m)!);
  const seen = new Set<Node>();
  const stack: Node[] = [];
  const visitUsersOf = (node: Node): boolean => {
    for (const v of node.outputs) {
      for (const u of users.get(v.id) ?? []) {
        if (group.has(u)) {
          if (!group.has(node)) return false;
        } else if (!seen.has(u) && position.get(u)! < last) {
          seen.add(u);
          stack.push(u);
        }
      }
    }
    return true;
  };
  for (const m of group) if (!visitUsersOf(m)) return false;
  while (stack.length > 0) if (!visitUsersOf(stack.pop()!)) return false;
  return true;
}

/** Partitions the candidate nodes into convex groups of one result shape. */
function formGroups(g: Graph): Group[] {
  const producers = g.producers();
  const users = g.users();
  const position = new Map<Node, number>(g.nodes.map((n, i) => [n, i]));
  const groupOf = new Map<Node, Group>();
  const groups: Group[] = [];
  for (const node of g.nodes) {
    if (!isCandidate(node)) continue;
    const shape = node.outputs[0].type.shape;
    const neighbours: Group[] = [];
    for (const v of node.inputs) {
      const p = producers.get(v.id);
      const group = p && groupOf.get(p);
      if (group && sameShape(p.outputs[0].type.shape, shape) && !neighbours.includes(group)) neighbours.push(group);
    }
    const options = neighbours.length > 1 ? [neighbours, ...neighbours.map((n) => [n])] : neighbours.map((n) => [n]);
    let chosen: Group | undefined;
    for (const option of options) {
      const merged: Group = new Set([...option.flatMap((grp) => [...grp]), node]);
      if (isConvex(merged, users, position)) {
        chosen = merged;
        for (const grp of option) groups.splice(groups.indexOf(grp), 1);
        break;
      }
    }
    chosen ??= new Set([node]);
    groups.push(chosen);
    for (const m of chosen) groupOf.set(m, chosen);
  }
  return groups;
}

function fuseElementwise(g: Graph): boolean {
  const groups = formGroups(g).filter((grp) => grp.size > 1);
  if (groups.length === 0) return false;
  const position = new Map<Node, number>(g.nodes.map((n, i) => [n, i]));
  const users = g.users();
  const graphOutputs = new Set(g.outputs.map((o) => o.value.id));
  let changed = false;
  for (const group of groups) {
    const members = [...group].sort((a, b) => position.get(a)! - position.get(b)!);
    const results = members
      .map((n) => n.outputs[0])
      .filter((v) => graphOutputs.has(v.id) || (users.get(v.id) ?? []).some((u) => !group.has(u)));
    // A group whose values nobody uses is dead code: dead-code elimination removes it.
    if (results.length === 0) continue;
    installKernel(g, members, results);
    changed = true;
  }
  if (!changed) return false;
  // A kernel sits where its last member was; a user of an earlier member's result may precede it.
  restoreTopologicalOrder(g);
  return true;
}

export const elementwiseFusion: Pass = {
  name: 'elementwise-fusion',
  description: 'fuse connected elementwise ops of one shape into single-loop kernels',
  run: fuseElementwise,
};
