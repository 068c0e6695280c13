/**
 * The SSA graph. Values are typed; nodes are kept in topological order; graph
 * inputs, outputs and constants (weights) are values too. A node may own a
 * body graph (the recurrent `scan` op): bodies are closed, they see only
 * their own inputs, and share the weight table of the graph that holds them.
 */
import type { Attrs } from './attrs.js';
import type { Tensor } from './tensor.js';
import type { TensorType } from './types.js';

export interface Value {
  /** Unique within the whole graph tree; printing renumbers, so ids are not semantic. */
  readonly id: number;
  type: TensorType;
  /** Graph inputs carry the user-facing name; other values may carry a hint. */
  name?: string;
}

export interface Node {
  op: string;
  inputs: Value[];
  outputs: Value[];
  attrs: Attrs;
  body?: Graph;
}

export interface GraphOutput {
  name: string;
  value: Value;
}

export class Graph {
  inputs: Value[] = [];
  outputs: GraphOutput[] = [];
  nodes: Node[] = [];
  /** Weight data by name, referenced by `const` nodes. Shared with body graphs. */
  weights: Map<string, Tensor>;
  private nextId: { n: number };

  constructor(
    public name: string,
    parent?: Graph,
  ) {
    this.weights = parent ? parent.weights : new Map();
    this.nextId = parent ? parent.nextId : { n: 0 };
  }

  newValue(type: TensorType, name?: string): Value {
    const v: Value = { id: this.nextId.n++, type: { dtype: type.dtype, shape: [...type.shape] } };
    if (name !== undefined) v.name = name;
    return v;
  }

  addInput(name: string, type: TensorType): Value {
    const v = this.newValue(type, name);
    this.inputs.push(v);
    return v;
  }

  addOutput(name: string, value: Value): void {
    this.outputs.push({ name, value });
  }

  /** A new graph that shares this one's value numbering and weights: for op bodies. */
  childGraph(name: string): Graph {
    return new Graph(name, this);
  }

  /**
   * A deep copy to transform independently: its own values, nodes, bodies and
   * weight table (holding the same tensors, which passes replace, never edit).
   * Value ids are kept, and new values continue this graph's numbering.
   */
  clone(): Graph {
    const copy = new Graph(this.name);
    copy.weights = new Map(this.weights);
    copy.nextId.n = this.nextId.n;
    copyInto(this, copy, new Map());
    return copy;
  }

  /** Map from a value id to the node that defines it. */
  producers(): Map<number, Node> {
    const m = new Map<number, Node>();
    for (const n of this.nodes) for (const o of n.outputs) m.set(o.id, n);
    return m;
  }

  /** Map from a value id to the nodes that read it (graph outputs not included). */
  users(): Map<number, Node[]> {
    const m = new Map<number, Node[]>();
    for (const n of this.nodes) {
      for (const i of n.inputs) {
        const list = m.get(i.id);
        if (list) {
          if (!list.includes(n)) list.push(n);
        } else m.set(i.id, [n]);
      }
    }
    return m;
  }
}

/**
 * Copies `from`'s inputs, nodes (bodies too) and outputs into the empty graph
 * `to`; `values` maps each value id to its copy, made at its first mention.
 */
function copyInto(from: Graph, to: Graph, values: Map<number, Value>): void {
  const copyOf = (v: Value): Value => {
    let c = values.get(v.id);
    if (!c) {
      c = { id: v.id, type: { dtype: v.type.dtype, shape: [...v.type.shape] } };
      if (v.name !== undefined) c.name = v.name;
      values.set(v.id, c);
    }
    return c;
  };
  to.inputs = from.inputs.map(copyOf);
  to.nodes = from.nodes.map((n) => {
    const node: Node = { op: n.op, inputs: n.inputs.map(copyOf), outputs: n.outputs.map(copyOf), attrs: { ...n.attrs } };
    if (n.body) {
      node.body = to.childGraph(n.body.name);
      copyInto(n.body, node.body, values);
    }
    return node;
  });
  to.outputs = from.outputs.map((o) => ({ name: o.name, value: copyOf(o.value) }));
}
