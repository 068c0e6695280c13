/**
 * Symbolic tensors: what DSL layers consume and produce while a model is
 * traced. They carry a type and where they came from (a model input or a
 * layer call), never numbers.
 */
import type { DType, Shape, TensorType } from '../../ir/types.js';
import type { Layer } from './layer.js';

/** A model input made by `input(...)`. */
export interface InputNode {
  readonly kind: 'input';
  /** Creation order across the process: a topological order of everything traced. */
  readonly id: number;
  readonly name?: string;
  readonly source?: string;
}

/** One application of a layer to symbolic inputs. */
export interface CallNode {
  readonly kind: 'call';
  readonly id: number;
  readonly layer: Layer;
  readonly inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  readonly source?: string;
}

let nextId = 0;

/** A fresh creation-order id for an input or call. */
export function nextNodeId(): number {
  return nextId++;
}

export class SymbolicTensor {
  constructor(
    readonly type: TensorType,
    readonly producer: InputNode | CallNode,
    readonly outputIndex: number,
  ) {}

  get dtype(): DType {
    return this.type.dtype;
  }

  /** The shape as Keras writes it: `null` for the batch dimension. */
  get shape(): (number | null)[] {
    return this.type.shape.map((d) => (d === 'N' ? null : d));
  }

  toString(): string {
    return `SymbolicTensor(${this.type.dtype}, (${this.shape.map((d) => d ?? 'None').join(', ')}))`;
  }
}

/** A Keras-style shape (`null` = batch) as an IR shape (`N`). */
export function toIRShape(shape: readonly (number | null)[]): Shape {
  return shape.map((d) => (d === null ? 'N' : d));
}
