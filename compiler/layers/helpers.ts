/** Small helpers shared by layer definitions: static sizes, weight specs, weight lookup. */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { formatType, normalizeAxis, type TensorType } from '../ir/types.js';
import type { InitializerConfig } from './config.js';
import { LayerError, type LayerDef, type WeightSpec } from './layer.js';
import { registerLayer } from './registry.js';

/** The static size of one axis (negative counts from the end); the batch axis `N` is an error. */
export function staticDim(t: TensorType, axis: number, what: string): number {
  const a = normalizeAxis(axis, t.shape.length);
  const d = t.shape[a];
  if (typeof d !== 'number') throw new LayerError(`${what}: axis ${a} of input ${formatType(t)} must have a static size`);
  return d;
}

/**
 * An axis a layer's config names (negative counts from the end), checked
 * against the input it is applied to: out of range or the batch axis is the
 * model's mistake, a LayerError naming the option.
 */
export function featureAxis(axis: number, t: TensorType, option: string): number {
  const rank = t.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new LayerError(`${option} ${axis} is out of range for an input of ${formatType(t)}`);
  if (a === 0) throw new LayerError(`${option} ${axis} is the batch axis of ${formatType(t)}`);
  return a;
}

/** Static sizes of every axis after the batch axis. */
export function featureShape(t: TensorType, what: string): number[] {
  return t.shape.slice(1).map((_, i) => staticDim(t, i + 1, what));
}

/** Checks the input count of a layer call and its rank when given. */
export function expectInputs(inputs: readonly TensorType[], count: number, rank?: number, what = 'input'): void {
  if (inputs.length !== count) throw new LayerError(`expects ${count} input(s), got ${inputs.length}`);
  if (rank !== undefined) {
    for (const t of inputs) {
      if (t.shape.length !== rank) throw new LayerError(`expects a rank-${rank} ${what} (batch first), got ${formatType(t)}`);
    }
  }
}

export function weightSpec(name: string, shape: number[], initializer: InitializerConfig, trainable = true): WeightSpec {
  return { name, shape, dtype: 'f32', trainable, initializer };
}

/** The value of a weight the layer declared; a missing one is a bug in lowering, not in the model. */
export function getWeight(weights: Map<string, Value>, name: string): Value {
  const v = weights.get(name);
  if (!v) throw new Error(`weight '${name}' was not provided`);
  return v;
}

/** Adds the bias (broadcast over the last axis) when the layer has one. */
export function addBias(b: GraphBuilder, x: Value, weights: Map<string, Value>, useBias: boolean): Value {
  return useBias ? b.op('add', [x, getWeight(weights, 'bias')]) : x;
}

/** A tensor of one value shaped like `shape` (used where Keras omits gamma/beta). */
export function filled(b: GraphBuilder, shape: number[], value: number): Value {
  return b.op('fill', [], { shape, value, dtype: 'f32' });
}

/** Registers a layer under its class name and under Keras' alias names (`MaxPool2D`, ...). */
export function registerWithAliases<C>(def: LayerDef<C>, ...aliases: string[]): void {
  registerLayer(def);
  for (const className of aliases) registerLayer({ ...def, className });
}
