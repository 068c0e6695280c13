/**
 * Core Keras layers: Dense, Activation, the dropout/noise family (identity at
 * inference), Flatten, Reshape, Permute, RepeatVector and Embedding.
 */
import { formatType } from '../ir/types.js';
import { applyActivation, readActivation, type Activation } from './activations.js';
import { ConfigReader, INIT, show, type InitializerConfig } from './config.js';
import { addBias, expectInputs, featureShape, getWeight, registerWithAliases, staticDim, weightSpec } from './helpers.js';
import { LayerError, type LayerDef } from './layer.js';

interface DenseConfig {
  units: number;
  activation: Activation;
  useBias: boolean;
  kernelInit: InitializerConfig;
  biasInit: InitializerConfig;
}

/** `x W + b` on the last axis (leading axes map over, so rank > 2 works too). */
export const Dense: LayerDef<DenseConfig> = {
  className: 'Dense',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c: DenseConfig = {
      units: r.positiveInt('units'),
      activation: readActivation(r, 'activation'),
      useBias: r.bool('use_bias', true),
      kernelInit: r.initializer('kernel_initializer', INIT.glorotUniform()),
      biasInit: r.initializer('bias_initializer', INIT.zeros()),
    };
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1);
    const inFeatures = staticDim(inputs[0], -1, 'Dense');
    const ws = [weightSpec('kernel', [inFeatures, c.units], c.kernelInit)];
    if (c.useBias) ws.push(weightSpec('bias', [c.units], c.biasInit));
    return ws;
  },
  lower(b, c, [x], weights) {
    if (x.type.shape.length < 2) throw new LayerError(`expects an input of rank >= 2, got ${formatType(x.type)}`);
    const y = b.op('matmul', [x, getWeight(weights, 'kernel')]);
    return [applyActivation(b, c.activation, addBias(b, y, weights, c.useBias))];
  },
  mapsLeadingAxes: true,
};

interface ActivationConfig {
  activation: Activation;
}

export const ActivationLayer: LayerDef<ActivationConfig> = {
  className: 'Activation',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = { activation: readActivation(r, 'activation') };
    r.finish();
    return c;
  },
  weights: () => [],
  lower: (b, c, [x]) => [applyActivation(b, c.activation, x)],
  mapsLeadingAxes: true,
};

interface DropoutConfig {
  rate: number;
}

/** Dropout and the noise layers: identity at inference, kept as a `dropout` op for inspection. */
function dropoutLike(className: string): LayerDef<DropoutConfig> {
  return {
    className,
    parseConfig(raw, where) {
      const r = new ConfigReader(raw, where);
      const rate = r.has('rate') ? r.float('rate') : 0;
      if (rate < 0 || rate >= 1) throw r.error('rate', `must be in [0, 1), got ${rate}`);
      if (r.has('stddev')) r.float('stddev');
      r.channelsLast();
      r.finish();
      return { rate };
    },
    weights: () => [],
    lower: (b, c, [x]) => [b.op('dropout', [x], { rate: c.rate })],
    mapsLeadingAxes: true,
  };
}

type Empty = Record<string, never>;

export const Flatten: LayerDef<Empty> = {
  className: 'Flatten',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    r.channelsLast();
    r.finish();
    return {};
  },
  weights: () => [],
  lower(b, _c, [x]) {
    const size = featureShape(x.type, 'Flatten').reduce((a, d) => a * d, 1);
    return [b.op('reshape', [x], { shape: ['N', size] })];
  },
};

interface ReshapeConfig {
  targetShape: number[];
}

export const Reshape: LayerDef<ReshapeConfig> = {
  className: 'Reshape',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const v = r.value('target_shape');
    // TF.js writes the dimension to infer as null, Keras as -1.
    const dims = Array.isArray(v) ? v.map((d: unknown) => (d === null ? -1 : d)) : undefined;
    if (!dims || !dims.every((d) => typeof d === 'number' && Number.isInteger(d) && (d > 0 || d === -1))) {
      throw r.error('target_shape', `must be a list of positive sizes with at most one -1, got ${show(v)}`);
    }
    if (dims.filter((d) => d === -1).length > 1) throw r.error('target_shape', `may contain only one -1, got ${show(v)}`);
    r.finish();
    return { targetShape: dims as number[] };
  },
  weights: () => [],
  lower(b, c, [x]) {
    return [b.op('reshape', [x], { shape: ['N', ...c.targetShape] })];
  },
};

interface PermuteConfig {
  dims: number[];
}

export const Permute: LayerDef<PermuteConfig> = {
  className: 'Permute',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const dims = r.intList('dims');
    const sorted = [...dims].sort((a, b) => a - b);
    if (!sorted.every((d, i) => d === i + 1)) {
      throw r.error('dims', `must be a permutation of 1..${dims.length} (1-based, batch axis excluded), got ${show(dims)}`);
    }
    r.finish();
    return { dims };
  },
  weights: () => [],
  lower(b, c, [x]) {
    if (x.type.shape.length !== c.dims.length + 1) {
      throw new LayerError(`dims ${show(c.dims)} do not fit an input of ${formatType(x.type)}`);
    }
    return [b.op('transpose', [x], { perm: [0, ...c.dims] })];
  },
};

interface RepeatVectorConfig {
  n: number;
}

export const RepeatVector: LayerDef<RepeatVectorConfig> = {
  className: 'RepeatVector',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = { n: r.positiveInt('n') };
    r.finish();
    return c;
  },
  weights: () => [],
  lower(b, c, [x]) {
    if (x.type.shape.length !== 2) throw new LayerError(`expects a rank-2 input (batch, features), got ${formatType(x.type)}`);
    const expanded = b.op('expand_dims', [x], { axis: 1 });
    return [b.op('tile', [expanded], { reps: [1, c.n, 1] })];
  },
};

interface EmbeddingConfig {
  inputDim: number;
  outputDim: number;
  init: InitializerConfig;
}

/** Row lookup; float ids (as TF.js and the .npy inputs carry them) are cast to i32 first. */
export const Embedding: LayerDef<EmbeddingConfig> = {
  className: 'Embedding',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = {
      inputDim: r.positiveInt('input_dim'),
      outputDim: r.positiveInt('output_dim'),
      init: r.initializer('embeddings_initializer', INIT.embedding()),
    };
    r.expect('mask_zero', false, 'masking is not implemented');
    r.finish();
    return c;
  },
  weights: (c) => [weightSpec('embeddings', [c.inputDim, c.outputDim], c.init)],
  lower(b, _c, [x], weights) {
    const ids = x.type.dtype === 'i32' ? x : b.op('cast', [x], { to: 'i32' });
    return [b.op('gather', [getWeight(weights, 'embeddings'), ids], { axis: 0 })];
  },
};

registerWithAliases(Dense);
registerWithAliases(ActivationLayer);
for (const name of ['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']) {
  registerWithAliases(dropoutLike(name));
}
registerWithAliases(Flatten);
registerWithAliases(Reshape);
registerWithAliases(Permute);
registerWithAliases(RepeatVector);
registerWithAliases(Embedding);
