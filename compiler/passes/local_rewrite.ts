/**
 * The driver shared by the pattern-rewrite passes (simplify, pad folding,
 * batch-norm folding): it offers each live single-result node to a rewrite
 * function; when that returns a replacement value, the nodes the rewrite
 * emitted are inserted where the old node stood (all their operands are
 * defined before it), every use of the old result is redirected, and the old
 * node is removed. Producers it left unused are dead code for `dce`.
 * It repeats until nothing matches; each rewrite removes a node or shortens
 * a chain, so this terminates.
 */
import type { Attrs } from '../ir/attrs.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph, Node, Value } from '../ir/graph.js';
import { GraphQueries } from './graph_queries.js';
import { replaceAllUses } from './pass.js';

/** Builds the new nodes of one rewrite; they enter the graph only if the rewrite fires. */
export class NodeEmitter {
  readonly nodes: Node[] = [];
  private readonly builder: GraphBuilder;

  constructor(g: Graph) {
    this.builder = new GraphBuilder(g);
  }

  op(op: string, inputs: Value[], attrs: Attrs = {}): Value {
    const node = this.builder.makeNode(op, inputs, attrs);
    this.nodes.push(node);
    return node.outputs[0];
  }

  /** A scalar constant of the given value (shared by equal scalars). */
  scalar(value: number): Value {
    const name = `scalar.f32.${String(value)}`;
    if (!this.builder.graph.weights.has(name)) {
      this.builder.graph.weights.set(name, { dtype: 'f32', shape: [], data: Float32Array.of(value) });
    }
    return this.op('const', [], { ref: name, dtype: 'f32', shape: [] });
  }
}

/** Returns the value that replaces `node`'s result, or nothing when the pattern does not match. */
export type LocalRewrite = (node: Node, q: GraphQueries, emit: NodeEmitter) => Value | undefined;

function rewriteOnce(g: Graph, rewrite: LocalRewrite): boolean {
  const q = new GraphQueries(g);
  for (let i = 0; i < g.nodes.length; i++) {
    const node = g.nodes[i];
    if (node.outputs.length !== 1 || node.body || !q.isUsed(node.outputs[0])) continue;
    const emit = new NodeEmitter(g);
    const replacement = rewrite(node, q, emit);
    if (!replacement) continue;
    g.nodes.splice(i, 1, ...emit.nodes);
    replaceAllUses(g, node.outputs[0], replacement);
    return true;
  }
  return false;
}

/** Applies `rewrite` until no node matches; returns true when anything changed. */
export function applyLocalRewrites(g: Graph, rewrite: LocalRewrite): boolean {
  let changed = false;
  while (rewriteOnce(g, rewrite)) changed = true;
  return changed;
}
