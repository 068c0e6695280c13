/**
 * "Which nodes does this target not support": asked of every node that
 * becomes a kernel (not weight reads, not views) before anything is compiled,
 * so a build is refused naming the op instead of failing halfway.
 */
import { graphFacts, type GraphFacts } from '../../compiler/ir/constants.js';
import type { Graph, Node } from '../../compiler/ir/graph.js';
import { getOp } from '../../compiler/ir/op.js';
import type { KernelRegistry } from './kernel_registry.js';

export interface UnsupportedNode {
  node: Node;
  /** The op as reported: a fused epilogue kernel by its anchor op. */
  op: string;
  /** One sentence naming the op. */
  reason: string;
}

/** A node a target cannot compile; `op` names the op as reported. */
export class UnsupportedOpError extends Error {
  constructor(
    message: string,
    readonly op: string,
  ) {
    super(message);
  }
}

/** Every node that is neither a weight read nor a view and has no kernel, with why. */
export function unsupportedNodes<E>(graph: Graph, registry: KernelRegistry<E>): UnsupportedNode[] {
  const facts = graphFacts(graph);
  const out: UnsupportedNode[] = [];
  for (const node of graph.nodes) {
    const def = getOp(node.op);
    if (def.readsWeight || def.view) continue;
    const found = registry.kernelFor(node, facts);
    if (typeof found === 'string') out.push({ node, op: registry.reportedOp(node), reason: found });
  }
  return out;
}

/** The unsupported ops of `graph` (each once, in graph order); empty when it compiles. */
export function unsupportedOps<E>(graph: Graph, registry: KernelRegistry<E>): string[] {
  return [...new Set(unsupportedNodes(graph, registry).map((u) => u.op))];
}

/** How an error names a node: its first result's id and name. */
export function describeNode(node: Node): string {
  const v = node.outputs[0];
  return v ? `value %${v.id}${v.name !== undefined ? ` '${v.name}'` : ''}` : node.op;
}

/** The emitter for node `index` of its graph; throws `error(message, op)` naming the node when there is none. */
export function requireKernel<E>(
  registry: KernelRegistry<E>,
  node: Node,
  index: number,
  facts: GraphFacts,
  error: new (message: string, op: string) => UnsupportedOpError,
): E {
  const found = registry.kernelFor(node, facts);
  if (typeof found === 'string') throw new error(`${found} (${describeNode(node)}, node ${index})`, registry.reportedOp(node));
  return found;
}
