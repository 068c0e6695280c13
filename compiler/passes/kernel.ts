/**
 * Shared by the fusion passes: turns a group of nodes of one graph into one
 * `fused` node carrying the group as its body (see compiler/ops/fused.ts for
 * the body contract), and restores a topological node order afterwards.
 */
import { GraphBuilder } from '../ir/builder.js';
import type { Graph, Node, Value } from '../ir/graph.js';

/** A group of nodes of one graph to become one kernel, and the values of it used outside. */
export interface KernelGroup {
  /** Nodes of the graph, in topological order. */
  members: readonly Node[];
  results: readonly Value[];
}

/** Builds the `fused` node computing `members`; its operands are the values they read from outside, in order of first use. */
function buildKernel(g: Graph, { members, results }: KernelGroup): Node {
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
  return new GraphBuilder(g).makeNode('fused', operands, { name }, body);
}

/**
 * Replaces each group (disjoint groups of `g`) by one `fused` node computing
 * it, placed where its last member was, and redirects every use of each of
 * its results to the matching kernel result, in one sweep over the graph
 * (so fusing a graph of n kernels costs O(n), not O(n^2)).
 */
export function installKernels(g: Graph, groups: readonly KernelGroup[]): Node[] {
  const replacement = new Map<number, Value>();
  const placeAt = new Map<Node, Node>();
  const removed = new Set<Node>();
  const kernels = groups.map((group) => {
    const kernel = buildKernel(g, group);
    group.results.forEach((v, k) => replacement.set(v.id, kernel.outputs[k]));
    for (const n of group.members) removed.add(n);
    placeAt.set(group.members[group.members.length - 1], kernel);
    return kernel;
  });
  g.nodes = g.nodes.flatMap((n) => {
    const kernel = placeAt.get(n);
    return kernel ? [kernel] : removed.has(n) ? [] : [n];
  });
  for (const node of g.nodes) node.inputs = node.inputs.map((v) => replacement.get(v.id) ?? v);
  for (const o of g.outputs) o.value = replacement.get(o.value.id) ?? o.value;
  return kernels;
}

/**
 * Reorders `g.nodes` topologically, keeping the current order wherever it is
 * already valid (each step takes the earliest node whose operands are all
 * defined), so the result is deterministic. Throws when the graph has a cycle.
 * Kahn's algorithm with the ready nodes in a min-heap of their old positions.
 */
export function restoreTopologicalOrder(g: Graph): void {
  const producerIndex = new Map<number, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((v) => producerIndex.set(v.id, i)));
  const waitingOn = new Array<number>(g.nodes.length).fill(0);
  const dependents: number[][] = g.nodes.map(() => []);
  g.nodes.forEach((n, i) => {
    for (const p of new Set(n.inputs.map((v) => producerIndex.get(v.id)))) {
      if (p === undefined) continue;
      waitingOn[i] += 1;
      dependents[p].push(i);
    }
  });
  const ready = new MinHeap();
  waitingOn.forEach((count, i) => count === 0 && ready.push(i));
  const ordered: Node[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    ordered.push(g.nodes[i]);
    for (const d of dependents[i]) if (--waitingOn[d] === 0) ready.push(d);
  }
  if (ordered.length !== g.nodes.length) throw new Error(`graph @${g.name} has a cycle after fusion`);
  g.nodes = ordered;
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
