/**
 * Keras layers, each defined once and shared by the TypeScript DSL and the
 * Keras importers. A layer is not an op: it is a small function from its
 * Keras config and weights to a few IR nodes (`lower`).
 *
 * Configs are Keras' own JSON configs (snake_case keys, as in model.json /
 * config.json); `parseConfig` validates one and returns the typed form, and
 * any unknown layer option or unsupported value is a `LayerError`.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { DType, Shape, TensorType } from '../ir/types.js';

/** An unsupported or invalid layer configuration, naming the layer and option. */
export class LayerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerError';
  }
}

export interface WeightSpec {
  /** Name relative to the layer, as Keras names it: `kernel`, `forward_lstm/bias`, ... */
  name: string;
  shape: number[];
  dtype: DType;
  trainable: boolean;
  /** Keras initializer config used when the DSL creates the weight (e.g. `{class_name: 'GlorotUniform', config: {seed: 1}}`). */
  initializer?: unknown;
}

export type RawConfig = Record<string, unknown>;

export interface LayerDef<C = unknown> {
  /** Keras class name (`Dense`, `Conv2D`, ...). */
  className: string;
  /**
   * Validates a Keras config and returns the typed form. `where` names the
   * layer for messages (e.g. `layer 'dense_1' (Dense) in model.json`).
   */
  parseConfig(raw: RawConfig, where: string): C;
  /** Weights this layer owns for the given input types, in Keras' order. */
  weights(config: C, inputs: TensorType[]): WeightSpec[];
  /**
   * Emits the layer's IR. `weights` maps each WeightSpec name to its value.
   * Returns the layer's output values.
   */
  lower(b: GraphBuilder, config: C, inputs: Value[], weights: Map<string, Value>): Value[];
  /**
   * True when `lower` works unchanged on inputs with extra axes after the
   * batch axis (Dense acts on the last axis only), so TimeDistributed can
   * apply the layer directly instead of once per time step.
   */
  mapsLeadingAxes?: boolean;
}

/** One layer of a model: a definition, its parsed config, its weight data. */
export interface LayerInstance {
  name: string;
  className: string;
  def: LayerDef;
  config: unknown;
  /** The raw Keras config as read or written. */
  rawConfig: RawConfig;
  /** Weight data keyed by WeightSpec name (filled by the importer or the DSL's initializers). */
  weights: Map<string, Tensor>;
}

/** A reference to one output tensor of a layer call: `[layer, call index, output index]`. */
export interface TensorRef {
  layer: string;
  call: number;
  output: number;
}

export interface LayerCall {
  layer: string;
  /** Index of this call among the layer's calls (Keras' node index). */
  index: number;
  inputs: TensorRef[];
  /** Where the call was written, for DSL diagnostics (`file:line:column`). */
  source?: string;
}

/**
 * A Keras model as a layer graph: what both the DSL and the importers
 * produce, and what `lowerModel` turns into an IR graph.
 */
export interface ModelSpec {
  name: string;
  /** `Sequential` or `Functional`; affects only how `summary()` prints. */
  kind: 'Sequential' | 'Functional';
  /** Model inputs; `shape` is the full shape, batch axis first (usually `N`). */
  inputs: { name: string; dtype: DType; shape: Shape }[];
  /** Input layers are referred to as `{layer: inputName, call: 0, output: 0}`. */
  layers: LayerInstance[];
  /** Layer calls in topological order. */
  calls: LayerCall[];
  outputs: { name: string; ref: TensorRef }[];
}
