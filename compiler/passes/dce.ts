/**
 * Dead-code elimination: removes nodes none of whose results reach a graph
 * output, and weights no `const` node refers to any more. Every op is pure,
 * so an unused node can always go. Body graphs are cleaned the same way.
 */
import type { Graph } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import type { Pass } from './pass.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

function sweep(g: Graph): boolean {
  const live = new Set<number>(g.outputs.map((o) => o.value.id));
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    if (node.outputs.some((v) => live.has(v.id))) {
      for (const v of node.inputs) live.add(v.id);
      kept.push(node);
    }
  }
  kept.reverse();
  let changed = kept.length !== g.nodes.length;
  g.nodes = kept;
  for (const node of g.nodes) if (node.body && sweep(node.body)) changed = true;
  return changed;
}

function referencedWeights(g: Graph, into: Set<string>): void {
  for (const node of g.nodes) {
    if (getOp(node.op).readsWeight) into.add(attrsOf(node, OP.const).ref);
    if (node.body) referencedWeights(node.body, into);
  }
}

export const deadCodeElimination: Pass = {
  name: 'dce',
  description: 'remove nodes whose results are never used, and unreferenced weights',
  run(g) {
    let changed = sweep(g);
    const used = new Set<string>();
    referencedWeights(g, used);
    for (const name of [...g.weights.keys()]) {
      if (!used.has(name)) {
        g.weights.delete(name);
        changed = true;
      }
    }
    return changed;
  },
};
