/**
 * What an op converter works with: the IR builder of the graph being made,
 * the ONNX value environment, and build-time evaluation of values computed
 * only from constants (PyTorch's shape subgraphs feed Reshape / Resize /
 * Slice inputs that tfc needs as attributes).
 *
 * Run-time values keep ONNX's own layout and shapes (NCHW); a converter for
 * an op whose IR form is channels-last wraps it in transposes, and the
 * transpose-sinking pass removes the pairs that meet.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import type { Node, Value } from '../../ir/graph.js';
import { attrsOf } from '../../ir/node_attrs.js';
import { getOp, type RefContext } from '../../ir/op.js';
import { OP } from '../../ir/op_types.js';
import type { Tensor } from '../../ir/tensor.js';
import { isStatic, type Dim, type DType } from '../../ir/types.js';
import { knownToTensor, tensorToKnown } from './known.js';
import type { Known, OnnxModel, OnnxNode } from './model.js';

/** An ONNX value during import: known at build time, or an IR value computed at run time. */
export type OnnxValue = { readonly kind: 'known'; readonly known: Known } | { readonly kind: 'value'; readonly value: Value };

export const known = (k: Known): OnnxValue => ({ kind: 'known', known: k });
export const runtime = (value: Value): OnnxValue => ({ kind: 'value', value });

/** Largest result (elements) evaluated at build time on request; bigger ones stay run-time work. */
const FOLD_LIMIT = 1 << 24;

export class ImportContext {
  private readonly env = new Map<string, OnnxValue>();
  private readonly constants = new Map<Known, Value>();
  private readonly folded = new Map<number, Tensor>();
  private constantCount = 0;

  constructor(
    readonly b: GraphBuilder,
    readonly model: OnnxModel,
    /** The model's ai.onnx operator-set version. */
    readonly opset: number,
  ) {}

  define(name: string, v: OnnxValue): void {
    this.env.set(name, v);
  }

  has(name: string): boolean {
    return this.env.has(name);
  }

  get(name: string): OnnxValue {
    const v = this.env.get(name);
    if (!v) throw new Error(`value '${name}' is used before any node or initializer defines it`);
    return v;
  }

  /** The node's i-th input, or undefined when it is omitted (absent or named ''). */
  input(node: OnnxNode, i: number): OnnxValue | undefined {
    const name = node.inputs[i];
    return name === undefined || name === '' ? undefined : this.get(name);
  }

  /** The node's i-th input, which the op requires. */
  requireInput(node: OnnxNode, i: number): OnnxValue {
    const v = this.input(node, i);
    if (!v) throw new Error(`input ${i} is required`);
    return v;
  }

  /** The value as an IR value; a known value becomes a `const` (one per known tensor). */
  value(v: OnnxValue): Value {
    if (v.kind === 'value') return v.value;
    let c = this.constants.get(v.known);
    if (!c) {
      c = this.b.constant(`onnx.const.${this.constantCount++}`, knownToTensor(v.known));
      this.constants.set(v.known, c);
    }
    return c;
  }

  /** Shape of a value; `N` is the batch. */
  shapeOf(v: OnnxValue): Dim[] {
    return v.kind === 'known' ? [...v.known.shape] : [...v.value.type.shape];
  }

  dtypeOf(v: OnnxValue): DType {
    if (v.kind === 'value') return v.value.type.dtype;
    return v.known.kind === 'float' ? 'f32' : v.known.kind === 'int' ? 'i32' : 'bool';
  }

  /**
   * The value at build time if it can be had: known values as they are, IR
   * values computed only from constants evaluated with each op's reference
   * semantics. Undefined for values that depend on a model input.
   */
  knownOf(v: OnnxValue): Known | undefined {
    if (v.kind === 'known') return v.known;
    const t = this.evaluate(v.value, this.b.graph.producers());
    return t && tensorToKnown(t);
  }

  /** Like `knownOf`, for an input the op needs at build time (`what` names it in the error). */
  requireKnown(v: OnnxValue, what: string): Known {
    const k = this.knownOf(v);
    if (!k) throw new Error(`${what} must be computable when the model is compiled, but it depends on a model input`);
    return k;
  }

  private evaluate(v: Value, producers: Map<number, Node>): Tensor | undefined {
    const done = this.folded.get(v.id);
    if (done) return done;
    const node = producers.get(v.id);
    if (!node || node.body || !isStatic(v.type.shape)) return undefined;
    if (v.type.shape.reduce((a, d) => a * d, 1) > FOLD_LIMIT) return undefined;
    const def = getOp(node.op);
    let results: Tensor[];
    if (def.readsWeight) {
      const t = this.b.graph.weights.get(attrsOf(node, OP.const).ref);
      if (!t) return undefined;
      results = [t];
    } else {
      const operands: Tensor[] = [];
      for (const input of node.inputs) {
        const t = this.evaluate(input, producers);
        if (!t) return undefined;
        operands.push(t);
      }
      results = def.reference(operands, node.attrs, foldContext(this.b));
    }
    node.outputs.forEach((out, k) => this.folded.set(out.id, results[k]));
    return this.folded.get(v.id);
  }
}

function foldContext(b: GraphBuilder): RefContext {
  return {
    batch: 1,
    weight: (name) => {
      const t = b.graph.weights.get(name);
      if (!t) throw new Error(`weight '${name}' has no data`);
      return t;
    },
    runBody: () => {
      throw new Error('build-time evaluation does not run body graphs');
    },
  };
}
