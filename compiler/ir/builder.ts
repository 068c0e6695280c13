/**
 * Builds graphs node by node: normalizes attributes, checks operand counts
 * and runs each op's shape inference, so a graph built this way is typed and
 * verified as it grows. Frontends and passes create nodes only through here.
 */
import type { Attrs } from './attrs.js';
import { normalizeAttrs } from './attrs.js';
import { IRError } from './errors.js';
import { Graph, type Node, type Value } from './graph.js';
import { arityAccepts, describeArity, getOp } from './op.js';
import type { Tensor } from './tensor.js';
import { formatType, type TensorType } from './types.js';

export class GraphBuilder {
  readonly graph: Graph;

  constructor(graphOrName: Graph | string) {
    this.graph = typeof graphOrName === 'string' ? new Graph(graphOrName) : graphOrName;
  }

  input(name: string, type: TensorType): Value {
    return this.graph.addInput(name, type);
  }

  output(name: string, value: Value): void {
    this.graph.addOutput(name, value);
  }

  /** Creates a node (without inserting it) with inferred result types. */
  makeNode(op: string, inputs: Value[], attrs: Attrs = {}, body?: Graph): Node {
    const def = getOp(op);
    if (!arityAccepts(def.arity, inputs.length)) {
      throw new IRError(`${op}: expects ${describeArity(def.arity)} operand(s), got ${inputs.length}`);
    }
    if (def.hasBody && !body) throw new IRError(`${op}: needs a body graph`);
    if (!def.hasBody && body) throw new IRError(`${op}: takes no body graph`);
    const full = normalizeAttrs(op, def.attrs, attrs);
    const types = inputs.map((v) => v.type);
    let outTypes: TensorType[];
    try {
      def.verify?.(types, full, body);
      outTypes = def.infer(types, full, body);
    } catch (e) {
      if (e instanceof IRError) {
        throw new IRError(`${op}(${types.map(formatType).join(', ')}): ${e.message}`);
      }
      throw e;
    }
    const node: Node = { op, inputs, outputs: outTypes.map((t) => this.graph.newValue(t)), attrs: full };
    if (body) node.body = body;
    return node;
  }

  /** Appends a node and returns all its results. */
  apply(op: string, inputs: Value[], attrs: Attrs = {}, body?: Graph): Value[] {
    const node = this.makeNode(op, inputs, attrs, body);
    this.graph.nodes.push(node);
    return node.outputs;
  }

  /** Appends a single-result node and returns its result. */
  op(op: string, inputs: Value[], attrs: Attrs = {}): Value {
    const outs = this.apply(op, inputs, attrs);
    if (outs.length !== 1) throw new IRError(`${op}: has ${outs.length} results, expected 1`);
    return outs[0];
  }

  /** Registers weight data under a name and returns a `const` value reading it. */
  constant(name: string, t: Tensor): Value {
    const existing = this.graph.weights.get(name);
    if (existing && existing !== t) throw new IRError(`weight '${name}' is defined twice`);
    this.graph.weights.set(name, t);
    return this.op('const', [], { ref: name, dtype: t.dtype, shape: t.shape });
  }

  /** A scalar f32 constant with a name derived from its value (shared by equal scalars). */
  scalar(value: number, dtype: 'f32' | 'i32' = 'f32'): Value {
    const name = `scalar.${dtype}.${String(value)}`;
    let t = this.graph.weights.get(name);
    if (!t) {
      t = { dtype, shape: [], data: dtype === 'f32' ? Float32Array.of(value) : Int32Array.of(value) };
    }
    return this.constant(name, t);
  }
}
