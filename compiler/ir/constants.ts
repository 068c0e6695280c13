/**
 * Which values of a graph are weights: a `const` result, or a view of one
 * (through any chain of views). Targets ask this to read weights at build
 * time (packing, derived constants) instead of from memory at run time.
 */
import type { Graph, Value } from './graph.js';
import { getOp } from './op.js';
import type { Tensor } from './tensor.js';
import { attrsOf } from './node_attrs.js';
import { OP } from './op_types.js';

/** Facts about the graph around a node, for support checks and emission. */
export interface GraphFacts {
  /** The weight behind `v` when it is a `const` result (directly or through views), else undefined. */
  constant(v: Value): Tensor | undefined;
}

/**
 * The facts of `graph`. `inputConstant(i)` says whether graph input i is a
 * weight (a loop body's invariant whose outer operand is one); by default none is.
 */
export function graphFacts(graph: Graph, inputConstant: (index: number) => Tensor | undefined = () => undefined): GraphFacts {
  const inputIndex = new Map(graph.inputs.map((v, i) => [v.id, i]));
  const producers = graph.producers();
  const constant = (v: Value): Tensor | undefined => {
    const i = inputIndex.get(v.id);
    if (i !== undefined) return inputConstant(i);
    const node = producers.get(v.id);
    if (!node) return undefined;
    const def = getOp(node.op);
    if (def.readsWeight) return graph.weights.get(attrsOf(node, OP.const).ref);
    return def.view ? constant(node.inputs[0]) : undefined;
  };
  return { constant };
}
