/**
 * Constant folding: a node whose operands are all constants (vacuously so
 * for an operand-less op such as a static `fill`) is evaluated at build time
 * with the op's own reference semantics (never a second implementation) and
 * replaced by a `const` reading the result. Results with
 * a symbolic batch dimension cannot be folded, and a result much larger than
 * its operands (a broadcast, a tile) is left for run time so that folding
 * never bloats the weights.
 */
import { GraphBuilder } from '../ir/builder.js';
import type { Graph, Node } from '../ir/graph.js';
import { getOp, type RefContext } from '../ir/op.js';
import type { Tensor } from '../ir/tensor.js';
import { elementCount, isStatic } from '../ir/types.js';
import type { Pass } from './pass.js';
import { replaceAllUses } from './pass.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

/** Folding may grow the weights by at most this many elements per node beyond its operands' size. */
const GROWTH_LIMIT = 1024;

function freshName(g: Graph, base: string): string {
  let n = 0;
  while (g.weights.has(`${base}.${n}`)) n++;
  return `${base}.${n}`;
}

function fold(g: Graph): boolean {
  const producers = g.producers();
  const constOf = (id: number): Tensor | undefined => {
    const p = producers.get(id);
    if (!p || !getOp(p.op).readsWeight) return undefined;
    return g.weights.get(attrsOf(p, OP.const).ref);
  };
  const ctx: RefContext = {
    batch: 1,
    weight: (name) => {
      const t = g.weights.get(name);
      if (!t) throw new Error(`weight '${name}' has no data`);
      return t;
    },
    runBody: () => {
      throw new Error('constant folding does not evaluate body graphs');
    },
  };
  const builder = new GraphBuilder(g);
  let changed = false;
  const out: Node[] = [];
  for (const node of g.nodes) {
    const def = getOp(node.op);
    const operands = node.inputs.map((v) => constOf(v.id));
    const foldable =
      !def.readsWeight &&
      !node.body &&
      operands.every((t) => t !== undefined) &&
      node.outputs.every((v) => isStatic(v.type.shape));
    if (!foldable) {
      out.push(node);
      continue;
    }
    const inputs = operands as Tensor[];
    const inputSize = inputs.reduce((s, t) => s + t.data.length, 0);
    const resultSize = node.outputs.reduce((s, v) => s + elementCount(v.type.shape), 0);
    if (resultSize > inputSize + GROWTH_LIMIT) {
      out.push(node);
      continue;
    }
    const results = def.reference(inputs, node.attrs, ctx);
    node.outputs.forEach((v, k) => {
      const name = freshName(g, `folded.${node.op}`);
      g.weights.set(name, results[k]);
      const c = builder.makeNode('const', [], { ref: name, dtype: results[k].dtype, shape: results[k].shape });
      out.push(c);
      producers.set(c.outputs[0].id, c);
      replaceAllUses(g, v, c.outputs[0]);
    });
    changed = true;
  }
  g.nodes = out;
  return changed;
}

export const constantFolding: Pass = {
  name: 'constant-folding',
  description: 'evaluate nodes whose operands are all constants at build time',
  run: fold,
};
