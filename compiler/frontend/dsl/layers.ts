/**
 * `layers.<name>(options)`: the DSL's layer factories, named and optioned like
 * TF.js layers. Each only maps options onto a Keras config with Keras'
 * defaults; the layer itself is the shared LayerDef.
 */
import type { Layer } from './layer.js';
import { INIT, makeLayer, symmetricPairs, type InitializerOption, type LayerOptions } from './options.js';

type Activation = string;
type Padding = 'valid' | 'same';
type IntOrPair = number | [number, number];

export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: Activation;
  useBias?: boolean;
  kernelInitializer?: InitializerOption;
  biasInitializer?: InitializerOption;
}

export interface ConvOptions<K, P extends string = Padding> extends LayerOptions {
  kernelSize: K;
  strides?: K;
  padding?: P;
  dilationRate?: K;
  activation?: Activation;
  useBias?: boolean;
  biasInitializer?: InitializerOption;
}

export interface Conv1DOptions extends ConvOptions<number | [number], Padding | 'causal'> {
  filters: number;
  kernelInitializer?: InitializerOption;
}

export interface Conv2DOptions extends ConvOptions<IntOrPair> {
  filters: number;
  kernelInitializer?: InitializerOption;
}

export interface DepthwiseConv2DOptions extends ConvOptions<IntOrPair> {
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerOption;
}

export interface SeparableConv2DOptions extends ConvOptions<IntOrPair> {
  filters: number;
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerOption;
  pointwiseInitializer?: InitializerOption;
}

export interface PoolingOptions<K> extends LayerOptions {
  poolSize?: K;
  strides?: K;
  padding?: Padding;
}

export interface GlobalPoolingOptions extends LayerOptions {
  keepdims?: boolean;
}

export interface RNNOptions extends LayerOptions {
  units: number;
  activation?: Activation;
  useBias?: boolean;
  kernelInitializer?: InitializerOption;
  recurrentInitializer?: InitializerOption;
  biasInitializer?: InitializerOption;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  dropout?: number;
  recurrentDropout?: number;
}

export interface LSTMOptions extends RNNOptions {
  recurrentActivation?: Activation;
  unitForgetBias?: boolean;
}

export interface GRUOptions extends RNNOptions {
  recurrentActivation?: Activation;
  resetAfter?: boolean;
}

const CHANNELS_LAST = { data_format: 'channels_last' };

function conv(rank: 1 | 2): Record<string, unknown> {
  const ones = new Array<number>(rank).fill(1);
  return { strides: ones, padding: 'valid', ...CHANNELS_LAST, dilation_rate: ones, activation: 'linear', use_bias: true };
}

/** Keras pooling: `strides` default to `pool_size`. */
function pooling(className: string, rank: 1 | 2, options: PoolingOptions<unknown>): Layer {
  return makeLayer(
    {
      className,
      rank,
      defaults: { pool_size: new Array<number>(rank).fill(2), padding: 'valid', ...CHANNELS_LAST },
      convert: (c) => {
        if (c.strides === undefined || c.strides === null) c.strides = c.pool_size;
      },
    },
    options,
  );
}

function rnn(className: string, extra: Record<string, unknown>, options: RNNOptions): Layer {
  return makeLayer(
    {
      className,
      defaults: {
        activation: 'tanh',
        ...extra,
        use_bias: true,
        kernel_initializer: INIT.glorotUniform(),
        recurrent_initializer: INIT.orthogonal(),
        bias_initializer: INIT.zeros(),
        return_sequences: false,
        return_state: false,
        go_backwards: false,
        stateful: false,
        unroll: false,
        dropout: 0,
        recurrent_dropout: 0,
      },
    },
    options,
  );
}

function merge(className: string, options: LayerOptions = {}): Layer {
  return makeLayer({ className, defaults: {} }, options);
}

export const layers = {
  dense: (options: DenseOptions): Layer =>
    makeLayer(
      {
        className: 'Dense',
        defaults: { activation: 'linear', use_bias: true, kernel_initializer: INIT.glorotUniform(), bias_initializer: INIT.zeros() },
      },
      options,
    ),
  activation: (options: LayerOptions & { activation: Activation }): Layer =>
    makeLayer({ className: 'Activation', defaults: {} }, options),
  dropout: (options: LayerOptions & { rate: number; noiseShape?: number[]; seed?: number }): Layer =>
    makeLayer({ className: 'Dropout', defaults: {} }, options),
  flatten: (options: LayerOptions = {}): Layer => makeLayer({ className: 'Flatten', defaults: { ...CHANNELS_LAST } }, options),
  reshape: (options: LayerOptions & { targetShape: number[] }): Layer => makeLayer({ className: 'Reshape', defaults: {} }, options),
  permute: (options: LayerOptions & { dims: number[] }): Layer => makeLayer({ className: 'Permute', defaults: {} }, options),
  repeatVector: (options: LayerOptions & { n: number }): Layer => makeLayer({ className: 'RepeatVector', defaults: {} }, options),
  embedding: (
    options: LayerOptions & { inputDim: number; outputDim: number; embeddingsInitializer?: InitializerOption; maskZero?: boolean },
  ): Layer => makeLayer({ className: 'Embedding', defaults: { embeddings_initializer: INIT.uniform(), mask_zero: false } }, options),

  conv1d: (options: Conv1DOptions): Layer =>
    makeLayer(
      {
        className: 'Conv1D',
        rank: 1,
        defaults: { ...conv(1), kernel_initializer: INIT.glorotUniform(), bias_initializer: INIT.zeros() },
      },
      options,
    ),
  conv2d: (options: Conv2DOptions): Layer =>
    makeLayer(
      {
        className: 'Conv2D',
        rank: 2,
        defaults: { ...conv(2), kernel_initializer: INIT.glorotUniform(), bias_initializer: INIT.zeros() },
      },
      options,
    ),
  depthwiseConv2d: (options: DepthwiseConv2DOptions): Layer =>
    makeLayer(
      {
        className: 'DepthwiseConv2D',
        rank: 2,
        defaults: {
          ...conv(2),
          depth_multiplier: 1,
          depthwise_initializer: INIT.glorotUniform(),
          bias_initializer: INIT.zeros(),
        },
      },
      options,
    ),
  separableConv2d: (options: SeparableConv2DOptions): Layer =>
    makeLayer(
      {
        className: 'SeparableConv2D',
        rank: 2,
        defaults: {
          ...conv(2),
          depth_multiplier: 1,
          depthwise_initializer: INIT.glorotUniform(),
          pointwise_initializer: INIT.glorotUniform(),
          bias_initializer: INIT.zeros(),
        },
      },
      options,
    ),
  conv2dTranspose: (options: Conv2DOptions): Layer =>
    makeLayer(
      {
        className: 'Conv2DTranspose',
        rank: 2,
        defaults: { ...conv(2), kernel_initializer: INIT.glorotUniform(), bias_initializer: INIT.zeros() },
      },
      options,
    ),

  maxPooling1d: (options: PoolingOptions<number | [number]> = {}): Layer => pooling('MaxPooling1D', 1, options),
  maxPooling2d: (options: PoolingOptions<IntOrPair> = {}): Layer => pooling('MaxPooling2D', 2, options),
  averagePooling1d: (options: PoolingOptions<number | [number]> = {}): Layer => pooling('AveragePooling1D', 1, options),
  averagePooling2d: (options: PoolingOptions<IntOrPair> = {}): Layer => pooling('AveragePooling2D', 2, options),
  globalAveragePooling1d: (options: GlobalPoolingOptions = {}): Layer =>
    makeLayer({ className: 'GlobalAveragePooling1D', defaults: { ...CHANNELS_LAST } }, options),
  globalAveragePooling2d: (options: GlobalPoolingOptions = {}): Layer =>
    makeLayer({ className: 'GlobalAveragePooling2D', defaults: { ...CHANNELS_LAST } }, options),
  globalMaxPooling1d: (options: GlobalPoolingOptions = {}): Layer =>
    makeLayer({ className: 'GlobalMaxPooling1D', defaults: { ...CHANNELS_LAST } }, options),
  globalMaxPooling2d: (options: GlobalPoolingOptions = {}): Layer =>
    makeLayer({ className: 'GlobalMaxPooling2D', defaults: { ...CHANNELS_LAST } }, options),

  batchNormalization: (
    options: LayerOptions & {
      axis?: number;
      momentum?: number;
      epsilon?: number;
      center?: boolean;
      scale?: boolean;
      betaInitializer?: InitializerOption;
      gammaInitializer?: InitializerOption;
      movingMeanInitializer?: InitializerOption;
      movingVarianceInitializer?: InitializerOption;
    } = {},
  ): Layer =>
    makeLayer(
      {
        className: 'BatchNormalization',
        defaults: {
          axis: -1,
          momentum: 0.99,
          epsilon: 0.001,
          center: true,
          scale: true,
          beta_initializer: INIT.zeros(),
          gamma_initializer: INIT.ones(),
          moving_mean_initializer: INIT.zeros(),
          moving_variance_initializer: INIT.ones(),
        },
      },
      options,
    ),
  layerNormalization: (
    options: LayerOptions & {
      axis?: number | number[];
      epsilon?: number;
      center?: boolean;
      scale?: boolean;
      betaInitializer?: InitializerOption;
      gammaInitializer?: InitializerOption;
    } = {},
  ): Layer =>
    makeLayer(
      {
        className: 'LayerNormalization',
        defaults: { axis: -1, epsilon: 0.001, center: true, scale: true, beta_initializer: INIT.zeros(), gamma_initializer: INIT.ones() },
      },
      options,
    ),

  zeroPadding2d: (options: LayerOptions & { padding?: number | [number, number] | [[number, number], [number, number]] } = {}): Layer =>
    makeLayer(
      { className: 'ZeroPadding2D', defaults: { padding: [[1, 1], [1, 1]], ...CHANNELS_LAST }, convert: symmetricPairs('padding') },
      options,
    ),
  cropping2d: (options: LayerOptions & { cropping: number | [number, number] | [[number, number], [number, number]] }): Layer =>
    makeLayer(
      { className: 'Cropping2D', defaults: { cropping: [[0, 0], [0, 0]], ...CHANNELS_LAST }, convert: symmetricPairs('cropping') },
      options,
    ),
  upSampling2d: (options: LayerOptions & { size?: IntOrPair; interpolation?: 'nearest' | 'bilinear' } = {}): Layer =>
    makeLayer({ className: 'UpSampling2D', rank: 2, defaults: { size: [2, 2], interpolation: 'nearest', ...CHANNELS_LAST } }, options),

  add: (options?: LayerOptions): Layer => merge('Add', options),
  subtract: (options?: LayerOptions): Layer => merge('Subtract', options),
  multiply: (options?: LayerOptions): Layer => merge('Multiply', options),
  average: (options?: LayerOptions): Layer => merge('Average', options),
  maximum: (options?: LayerOptions): Layer => merge('Maximum', options),
  minimum: (options?: LayerOptions): Layer => merge('Minimum', options),
  concatenate: (options: LayerOptions & { axis?: number } = {}): Layer =>
    makeLayer({ className: 'Concatenate', defaults: { axis: -1 } }, options),
  dot: (options: LayerOptions & { axes: number | [number, number]; normalize?: boolean }): Layer =>
    makeLayer({ className: 'Dot', defaults: { normalize: false } }, options),

  reLU: (options: LayerOptions & { maxValue?: number; negativeSlope?: number; threshold?: number } = {}): Layer =>
    makeLayer({ className: 'ReLU', defaults: { max_value: null, negative_slope: 0, threshold: 0 } }, options),
  leakyReLU: (options: LayerOptions & { alpha?: number } = {}): Layer =>
    makeLayer({ className: 'LeakyReLU', defaults: { alpha: 0.3 } }, options),
  pReLU: (options: LayerOptions & { alphaInitializer?: InitializerOption; sharedAxes?: number[] } = {}): Layer =>
    makeLayer({ className: 'PReLU', defaults: { alpha_initializer: INIT.zeros() } }, options),
  elu: (options: LayerOptions & { alpha?: number } = {}): Layer => makeLayer({ className: 'ELU', defaults: { alpha: 1 } }, options),
  softmax: (options: LayerOptions & { axis?: number } = {}): Layer =>
    makeLayer({ className: 'Softmax', defaults: { axis: -1 } }, options),
  thresholdedReLU: (options: LayerOptions & { theta?: number } = {}): Layer =>
    makeLayer({ className: 'ThresholdedReLU', defaults: { theta: 1 } }, options),

  simpleRNN: (options: RNNOptions): Layer => rnn('SimpleRNN', {}, options),
  lstm: (options: LSTMOptions): Layer =>
    rnn('LSTM', { recurrent_activation: 'sigmoid', unit_forget_bias: true, implementation: 2 }, options),
  gru: (options: GRUOptions): Layer =>
    rnn('GRU', { recurrent_activation: 'sigmoid', reset_after: true, implementation: 2 }, options),

  bidirectional: (options: LayerOptions & { layer: Layer; mergeMode?: 'concat' | 'sum' | 'mul' | 'ave' | null }): Layer =>
    makeLayer({ className: 'Bidirectional', defaults: { merge_mode: 'concat' }, inner: options.layer }, options),
  timeDistributed: (options: LayerOptions & { layer: Layer }): Layer =>
    makeLayer({ className: 'TimeDistributed', defaults: {}, inner: options.layer }, options),
};
