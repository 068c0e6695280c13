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
import { installKernels, restoreTopologicalOrder, type KernelGroup } from './kernel.js';
import type { Pass } from './pass.js';

type Group = Set<Node>;

/**
 * The most ops one kernel takes. Past a few dozen ops a loop is compute-bound
 * and gains nothing more from fusion, while the emitted function (and the
 * optimizer's time on it) keeps growing: a 20,000-op chain becomes many
 * kernels of this size rather than one function binaryen cannot digest.
 */
const MAX_KERNEL_OPS = 64;

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

/**
 * True when adding `node` (after every member in node order) to the convex
 * `group` keeps it convex: no operand of `node` is reached from a member
 * through non-members. The backward search stops at the group's first
 * position, so a long chain costs nothing per added node.
 */
function staysConvex(group: Group, first: number, node: Node, producers: Map<number, Node>, position: Map<Node, number>): boolean {
  const seen = new Set<Node>();
  const stack: Node[] = [];
  const visitProducersOf = (n: Node, viaOutside: boolean): boolean => {
    for (const v of n.inputs) {
      const p = producers.get(v.id);
      if (!p || position.get(p)! < first) continue;
      if (group.has(p)) {
        if (viaOutside) return false;
      } else if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
    return true;
  };
  visitProducersOf(node, false);
  while (stack.length > 0) if (!visitProducersOf(stack.pop()!, true)) return false;
  return true;
}

/** Partitions the candidate nodes into convex groups of one result shape. */
function formGroups(g: Graph): Group[] {
  const producers = g.producers();
  const users = g.users();
  const position = new Map<Node, number>(g.nodes.map((n, i) => [n, i]));
  const groupOf = new Map<Node, Group>();
  const firstOf = new Map<Group, number>();
  const groups = new Set<Group>();
  for (const node of g.nodes) {
    if (!isCandidate(node)) continue;
    const shape = node.outputs[0].type.shape;
    const neighbours: Group[] = [];
    for (const v of node.inputs) {
      const p = producers.get(v.id);
      const group = p && groupOf.get(p);
      const fits = group && group.size < MAX_KERNEL_OPS && sameShape(p.outputs[0].type.shape, shape);
      if (fits && !neighbours.includes(group)) neighbours.push(group);
    }
    let chosen: Group | undefined;
    if (neighbours.length > 1 && neighbours.reduce((n, grp) => n + grp.size, 1) <= MAX_KERNEL_OPS) {
      const merged: Group = new Set([...neighbours.flatMap((grp) => [...grp]), node]);
      if (isConvex(merged, users, position)) {
        chosen = merged;
        firstOf.set(merged, Math.min(...neighbours.map((grp) => firstOf.get(grp)!)));
        for (const grp of neighbours) groups.delete(grp);
        for (const m of merged) groupOf.set(m, merged);
      }
    }
    // Joining one group grows it in place: a chain of n ops costs O(n), not O(n^2).
    chosen ??= neighbours.find((grp) => staysConvex(grp, firstOf.get(grp)!, node, producers, position));
    if (chosen) {
      chosen.add(node);
    } else {
      chosen = new Set([node]);
      firstOf.set(chosen, position.get(node)!);
    }
    groupOf.set(node, chosen);
    // The group that grew goes last, so kernels are installed in the order their groups last grew.
    groups.delete(chosen);
    groups.add(chosen);
  }
  return [...groups];
}

function fuseElementwise(g: Graph): boolean {
  const groups = formGroups(g).filter((grp) => grp.size > 1);
  if (groups.length === 0) return false;
  const position = new Map<Node, number>(g.nodes.map((n, i) => [n, i]));
  const users = g.users();
  const graphOutputs = new Set(g.outputs.map((o) => o.value.id));
  const kernels: KernelGroup[] = [];
  for (const group of groups) {
    const members = [...group].sort((a, b) => position.get(a)! - position.get(b)!);
    const results = members
      .map((n) => n.outputs[0])
      .filter((v) => graphOutputs.has(v.id) || (users.get(v.id) ?? []).some((u) => !group.has(u)));
    // A group whose values nobody uses is dead code: dead-code elimination removes it.
    if (results.length === 0) continue;
    kernels.push({ members, results });
  }
  if (kernels.length === 0) return false;
  installKernels(g, kernels);
  // A kernel sits where its last member was; a user of an earlier member's result may precede it.
  restoreTopologicalOrder(g);
  return true;
}

export const elementwiseFusion: Pass = {
  name: 'elementwise-fusion',
  description: 'fuse connected elementwise ops of one shape into single-loop kernels',
  run: fuseElementwise,
};
