/**
 * A DSL layer object: a Keras class name plus its Keras config, backed by the
 * shared LayerDef (no second implementation of any layer). Applying it traces
 * the layer on a scratch graph to learn its output types, so a shape error
 * surfaces at once, at the user's call.
 */
import { GraphBuilder } from '../../ir/builder.js';
import type { Tensor } from '../../ir/tensor.js';
import { formatType, sameShape, type TensorType } from '../../ir/types.js';
import type { LayerDef, RawConfig, WeightSpec } from '../../layers/layer.js';
import { getLayer } from '../../layers/registry.js';
import { lazyWeight } from '../initializers.js';
import { messageOf, ModelBuildError } from './errors.js';
import { callerLocation } from './source.js';
import { nextNodeId, SymbolicTensor, type CallNode } from './symbolic.js';

/** Keras' default layer name for a class: `Conv2D` -> `conv2d`, `PReLU` -> `p_re_lu`. */
export function defaultLayerName(className: string): string {
  return className
    .replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

export interface LayerSetup {
  className: string;
  /** The Keras config (snake_case) without `name`. */
  config: RawConfig;
  name?: string;
  /** The wrapped layer of Bidirectional / TimeDistributed. */
  inner?: Layer;
  /** From `inputShape` / `batchInputShape`: the model input when this layer starts a sequential model. */
  inputType?: TensorType;
  /** Where the factory was called. */
  source?: string;
}

/** Names every layer of one model build gets; `nameOf` answers for a layer. */
export type NameOf = (layer: Layer) => string;

export class Layer {
  readonly className: string;
  /** The name the user gave, if any; otherwise the model build picks one. */
  readonly name?: string;
  readonly inner?: Layer;
  readonly inputType?: TensorType;
  readonly createdAt?: string;
  readonly def: LayerDef;
  private readonly options: RawConfig;
  private readonly parsed: unknown;
  /** The input types and weights fixed by the first call (later calls share the weights). */
  private built?: { inputs: TensorType[]; weights: WeightSpec[] };
  private weightData?: Map<string, Tensor>;
  readonly calls: CallNode[] = [];

  constructor(setup: LayerSetup) {
    this.className = setup.className;
    if (setup.name !== undefined) this.name = setup.name;
    if (setup.inner) this.inner = setup.inner;
    if (setup.inputType) this.inputType = setup.inputType;
    if (setup.source !== undefined) this.createdAt = setup.source;
    this.options = setup.config;
    const provisional: NameOf = (l) => l.name ?? defaultLayerName(l.className);
    try {
      this.def = getLayer(this.className, this.describe(provisional(this)));
      this.parsed = this.parse(provisional);
    } catch (e) {
      throw new ModelBuildError(messageOf(e), this.createdAt, { cause: e });
    }
  }

  describe(name: string): string {
    return `layer '${name}' (${this.className})`;
  }

  /** The full Keras config under the names of one model build. */
  kerasConfig(nameOf: NameOf): RawConfig {
    const config: RawConfig = { name: nameOf(this), trainable: true, ...this.options };
    if (this.inner) config.layer = { class_name: this.inner.className, config: this.inner.kerasConfig(nameOf) };
    if (this.inputType) {
      config.batch_input_shape = this.inputType.shape.map((d) => (d === 'N' ? null : d));
      config.dtype = this.inputType.dtype === 'i32' ? 'int32' : 'float32';
    }
    return config;
  }

  /** Validates the config through the LayerDef; errors name the layer. */
  parse(nameOf: NameOf): unknown {
    return this.def.parseConfig(this.kerasConfig(nameOf), this.describe(nameOf(this)));
  }

  /** Applies the layer to one input or a list (merge layers); for a layer with one output. */
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
    const source = callerLocation();
    const outs = this.call(Array.isArray(inputs) ? inputs : [inputs], source);
    if (outs.length !== 1) {
      throw new ModelBuildError(
        `${this.describe(this.name ?? defaultLayerName(this.className))} has ${outs.length} outputs; use applyAll() to get them all`,
        source,
      );
    }
    return outs[0];
  }

  /** Applies the layer and returns every output (e.g. an RNN with `returnState`). */
  applyAll(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor[] {
    return this.call(Array.isArray(inputs) ? inputs : [inputs], callerLocation());
  }

  /** Records a call of this layer; `source` is where errors are reported. */
  call(inputs: SymbolicTensor[], source: string | undefined): SymbolicTensor[] {
    const label = this.describe(this.name ?? defaultLayerName(this.className));
    inputs.forEach((x, i) => {
      if (!(x instanceof SymbolicTensor)) {
        throw new ModelBuildError(`${label}: input ${i} is not a symbolic tensor from input() or another layer`, source);
      }
    });
    const types = inputs.map((x) => x.type);
    let traced: { outputs: TensorType[]; weights: WeightSpec[] };
    try {
      traced = this.trace(types);
    } catch (e) {
      const given = types.map(formatType).join(', ');
      throw new ModelBuildError(`${label} applied to (${given}): ${messageOf(e)}`, source, { cause: e });
    }
    if (this.built) this.checkSharedWeights(traced.weights, types, label, source);
    else this.built = { inputs: types, weights: traced.weights };
    const call: CallNode = { kind: 'call', id: nextNodeId(), layer: this, inputs, outputs: [], ...(source ? { source } : {}) };
    call.outputs = traced.outputs.map((t, k) => new SymbolicTensor(t, call, k));
    this.calls.push(call);
    return call.outputs;
  }

  /** Output types and weights of the layer on inputs of these types, from a scratch lowering. */
  private trace(inputs: TensorType[]): { outputs: TensorType[]; weights: WeightSpec[] } {
    const b = new GraphBuilder('trace');
    const values = inputs.map((t, i) => b.input(`x${i}`, t));
    const weights = this.def.weights(this.parsed, inputs);
    // Weight values are typed placeholders: tracing never needs their numbers.
    const weightValues = new Map(weights.map((w) => [w.name, b.op('const', [], { ref: w.name, dtype: w.dtype, shape: w.shape })]));
    const outputs = this.def.lower(b, this.parsed, values, weightValues);
    return { outputs: outputs.map((v) => v.type), weights };
  }

  private checkSharedWeights(weights: WeightSpec[], types: TensorType[], label: string, source: string | undefined): void {
    const first = this.built!;
    const same =
      weights.length === first.weights.length &&
      weights.every((w, i) => w.name === first.weights[i].name && sameShape(w.shape, first.weights[i].shape));
    if (!same) {
      throw new ModelBuildError(
        `${label} is applied again to (${types.map(formatType).join(', ')}), but it was first applied to ` +
          `(${first.inputs.map(formatType).join(', ')}) and its weights cannot take both`,
        source,
      );
    }
  }

  /** The weights fixed by the first call; empty for a layer never applied. */
  weightSpecs(): WeightSpec[] {
    return this.built?.weights ?? [];
  }

  /**
   * Weight data from the initializers, made the first time it is asked for;
   * lazy tensors, whose values are computed only when something reads them.
   */
  weights(name: string): Map<string, Tensor> {
    if (!this.weightData) {
      this.weightData = new Map(
        this.weightSpecs().map((w) => [w.name, lazyWeight(w.initializer ?? 'zeros', w.shape, w.dtype, `${name}/${w.name}`)]),
      );
    }
    return this.weightData;
  }

  /** Replaces weight data (loadWeights); shapes were checked by the caller. */
  setWeights(data: Map<string, Tensor>): void {
    this.weightData = data;
  }
}
