/**
 * Common-subexpression elimination: two nodes with the same op, attributes
 * and operands compute the same values (every op is pure), so the later one
 * is replaced by the earlier. `const` nodes reading the same weight merge
 * too. Nodes that own a body graph are left alone.
 */
import type { Graph, Node } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { replaceAllUses } from './pass.js';

function keyOf(node: Node): string {
  return `${node.op}(${node.inputs.map((v) => v.id).join(',')})${JSON.stringify(node.attrs)}`;
}

function eliminate(g: Graph): boolean {
  const seen = new Map<string, Node>();
  const kept: Node[] = [];
  let changed = false;
  for (const node of g.nodes) {
    if (node.body) {
      if (eliminate(node.body)) changed = true;
      kept.push(node);
      continue;
    }
    const key = keyOf(node);
    const earlier = seen.get(key);
    if (earlier) {
      node.outputs.forEach((v, k) => replaceAllUses(g, v, earlier.outputs[k]));
      changed = true;
    } else {
      seen.set(key, node);
      kept.push(node);
    }
  }
  g.nodes = kept;
  return changed;
}

export const commonSubexpressionElimination: Pass = {
  name: 'cse',
  description: 'merge nodes that compute the same op on the same operands',
  run: eliminate,
};
