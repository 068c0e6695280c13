/**
 * One op, one definition: its attribute schema, type/shape inference,
 * verification and reference semantics live together in one `OpDef`, and
 * every stage of the compiler looks ops up here instead of matching names.
 */
import type { AttrSchema, Attrs } from './attrs.js';
import { IRError } from './errors.js';
import type { Graph } from './graph.js';
import type { Tensor } from './tensor.js';
import type { TensorType } from './types.js';

/** What a reference implementation may ask of the interpreter. */
export interface RefContext {
  /** The concrete batch size `N` of this run. */
  readonly batch: number;
  /** The data of a named weight (for `const`). */
  weight(name: string): Tensor;
  /** Runs a body graph (for ops that own one) on concrete inputs. */
  runBody(body: Graph, inputs: Tensor[]): Tensor[];
}

export type Arity = number | { min: number; max?: number };

/**
 * Builds ops over values of any kind: IR values in the decompose-activations
 * pass, register expressions when a target generates code.
 */
export interface OpEmitter<V> {
  op(name: string, inputs: V[], attrs?: Attrs): V;
}

export interface OpDef {
  name: string;
  /** What the op computes, with an IR example. */
  doc: string;
  attrs: AttrSchema;
  /** Number of operands: exact, or a range for variadic ops. */
  arity: Arity;
  /** Elementwise ops are fusable loops; `unary`/`binary` says how many operands. */
  elementwise?: 'unary' | 'binary' | 'ternary';
  /** True for ops whose `ref` attribute names a weight in the graph's weight table (`const`). */
  readsWeight?: boolean;
  /** True for ops that own a body graph. */
  hasBody?: boolean;
  /**
   * True for ops that can head an epilogue kernel (matmul, convolutions): an
   * elementwise epilogue over their result fuses into the same loop nest.
   */
  fusionAnchor?: boolean;
  /**
   * True for pure views: the result is the operand's bytes under another
   * shape (reshape, identity), so the memory plan lets it share the operand's
   * buffer and a target moves no data.
   */
  view?: boolean;
  /**
   * Operand positions a result may overwrite in place: element i of every
   * result depends on element i of that operand and on nothing else of it.
   * When absent, every operand of an `elementwise` op qualifies and no operand
   * of any other op does. The memory plan uses it only for operands that die
   * at the node and have exactly the result's size.
   */
  inPlaceOperands?(inputs: TensorType[], attrs: Attrs, body?: Graph): number[];
  /**
   * Result types from operand types and (complete) attributes. Throws IRError
   * with a plain-words message when the operands are not acceptable.
   */
  infer(inputs: TensorType[], attrs: Attrs, body?: Graph): TensorType[];
  /** Extra structural checks beyond what `infer` covers (optional). */
  verify?(inputs: TensorType[], attrs: Attrs, body?: Graph): void;
  /** Reference semantics on concrete tensors: the oracle every target is tested against. */
  reference(inputs: Tensor[], attrs: Attrs, ctx: RefContext, body?: Graph): Tensor[];
  /**
   * A composite elementwise op written as other elementwise ops (numbers as
   * attributes, never constants). The decompose-activations pass rewrites the
   * IR with it and each target expands it when it generates code, so the
   * targets' rule tables hold only primitives. It must agree with `reference`
   * (test/passes/decompose_activations.test.ts checks every such op).
   */
  decompose?<V>(inputs: V[], attrs: Attrs, emit: OpEmitter<V>): V;
}

const registry = new Map<string, OpDef>();

export function registerOp(def: OpDef): OpDef {
  if (registry.has(def.name)) throw new Error(`op '${def.name}' is registered twice`);
  registry.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new IRError(`unknown op '${name}'`);
  return def;
}

export function hasOp(name: string): boolean {
  return registry.has(name);
}

export function allOps(): OpDef[] {
  return [...registry.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function arityAccepts(arity: Arity, n: number): boolean {
  if (typeof arity === 'number') return n === arity;
  return n >= arity.min && (arity.max === undefined || n <= arity.max);
}

export function describeArity(arity: Arity): string {
  if (typeof arity === 'number') return `${arity}`;
  return arity.max === undefined ? `at least ${arity.min}` : `${arity.min} to ${arity.max}`;
}
