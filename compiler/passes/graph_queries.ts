/**
 * Read-only questions the rewrite passes ask about a graph: which node
 * defines a value, whether a value has exactly one reader, whether it is a
 * build-time constant, and what a weight holds. Kept apart so each pass file
 * holds only its rewrites.
 */
import type { Graph, Node, Value } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import type { Tensor } from '../ir/tensor.js';
import { isStatic } from '../ir/types.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

export class GraphQueries {
  private readonly producerOf: Map<number, Node>;
  private readonly readersOf: Map<number, Node[]>;
  private readonly outputIds: Set<number>;
  private readonly constantCache = new Map<number, boolean>();

  constructor(private readonly g: Graph) {
    this.producerOf = g.producers();
    this.readersOf = g.users();
    this.outputIds = new Set(g.outputs.map((o) => o.value.id));
  }

  producer(v: Value): Node | undefined {
    return this.producerOf.get(v.id);
  }

  /** The one node reading `v`, when exactly one node reads it (once) and it is not a graph output. */
  soleUser(v: Value): Node | undefined {
    if (this.outputIds.has(v.id)) return undefined;
    const readers = this.readersOf.get(v.id) ?? [];
    if (readers.length !== 1) return undefined;
    const reads = readers[0].inputs.filter((i) => i.id === v.id).length;
    return reads === 1 ? readers[0] : undefined;
  }

  /** True when a node reads `v` or the graph returns it. */
  isUsed(v: Value): boolean {
    return this.outputIds.has(v.id) || (this.readersOf.get(v.id) ?? []).length > 0;
  }

  /** The data of `v` when it is read straight from the weight table. */
  weightData(v: Value): Tensor | undefined {
    const p = this.producer(v);
    if (!p || !getOp(p.op).readsWeight) return undefined;
    return this.g.weights.get(attrsOf(p, OP.const).ref);
  }

  /**
   * True when `v` is computed from weights alone (no graph input, no body,
   * a static shape), so constant folding can evaluate anything built on it.
   */
  isConstant(v: Value): boolean {
    let known = this.constantCache.get(v.id);
    if (known === undefined) {
      const p = this.producer(v);
      known =
        p !== undefined &&
        !p.body &&
        isStatic(v.type.shape) &&
        (getOp(p.op).readsWeight === true || p.inputs.every((i) => this.isConstant(i)));
      this.constantCache.set(v.id, known);
    }
    return known;
  }
}
