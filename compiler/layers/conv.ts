/**
 * Convolution layers: Conv1D (same/valid/causal), Conv2D, DepthwiseConv2D,
 * SeparableConv2D and Conv2DTranspose. Each lowers to its conv op, then a
 * broadcasting bias `add`, then the activation.
 */
import { applyActivation, readActivation, type Activation } from './activations.js';
import { ConfigReader, INIT, type InitializerConfig } from './config.js';
import { addBias, expectInputs, getWeight, registerWithAliases, staticDim, weightSpec } from './helpers.js';
import type { LayerDef } from './layer.js';

/** Options every convolution shares. */
interface ConvCommon {
  kernel: number[];
  strides: number[];
  dilation: number[];
  padding: string;
  activation: Activation;
  useBias: boolean;
  biasInit: InitializerConfig;
}

function readCommon(r: ConfigReader, rank: number, paddings: readonly string[]): ConvCommon {
  r.channelsLast();
  r.expect('groups', 1, 'grouped convolution is not implemented');
  return {
    kernel: r.positiveInts('kernel_size', rank),
    strides: r.positiveInts('strides', rank, 1),
    dilation: r.positiveInts('dilation_rate', rank, 1),
    padding: r.padding(paddings, 'valid'),
    activation: readActivation(r, 'activation'),
    useBias: r.bool('use_bias', true),
    biasInit: r.initializer('bias_initializer', INIT.zeros()),
  };
}

interface ConvConfig extends ConvCommon {
  filters: number;
  kernelInit: InitializerConfig;
}

function readConv(raw: Record<string, unknown>, where: string, rank: number, paddings: readonly string[]): ConvConfig {
  const r = new ConfigReader(raw, where);
  const c = {
    filters: r.positiveInt('filters'),
    kernelInit: r.initializer('kernel_initializer', INIT.glorotUniform()),
    ...readCommon(r, rank, paddings),
  };
  r.finish();
  return c;
}

function kernelAndBias(c: ConvConfig, kernelShape: number[]) {
  const ws = [weightSpec('kernel', kernelShape, c.kernelInit)];
  if (c.useBias) ws.push(weightSpec('bias', [c.filters], c.biasInit));
  return ws;
}

export const Conv1D: LayerDef<ConvConfig> = {
  className: 'Conv1D',
  parseConfig: (raw, where) => readConv(raw, where, 1, ['valid', 'same', 'causal']),
  weights(c, inputs) {
    expectInputs(inputs, 1, 3);
    return kernelAndBias(c, [c.kernel[0], staticDim(inputs[0], -1, 'Conv1D'), c.filters]);
  },
  lower(b, c, [x], weights) {
    const y = b.op('conv1d', [x, getWeight(weights, 'kernel')], {
      stride: c.strides[0],
      dilation: c.dilation[0],
      padding: c.padding,
    });
    return [applyActivation(b, c.activation, addBias(b, y, weights, c.useBias))];
  },
};

export const Conv2D: LayerDef<ConvConfig> = {
  className: 'Conv2D',
  parseConfig: (raw, where) => readConv(raw, where, 2, ['valid', 'same']),
  weights(c, inputs) {
    expectInputs(inputs, 1, 4);
    return kernelAndBias(c, [...c.kernel, staticDim(inputs[0], -1, 'Conv2D'), c.filters]);
  },
  lower(b, c, [x], weights) {
    const y = b.op('conv2d', [x, getWeight(weights, 'kernel')], {
      strides: c.strides,
      dilations: c.dilation,
      padding: c.padding,
    });
    return [applyActivation(b, c.activation, addBias(b, y, weights, c.useBias))];
  },
};

interface DepthwiseConfig extends ConvCommon {
  depthMultiplier: number;
  depthwiseInit: InitializerConfig;
}

export const DepthwiseConv2D: LayerDef<DepthwiseConfig> = {
  className: 'DepthwiseConv2D',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = {
      depthMultiplier: r.positiveInt('depth_multiplier', 1),
      depthwiseInit: r.initializer('depthwise_initializer', INIT.glorotUniform()),
      ...readCommon(r, 2, ['valid', 'same']),
    };
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1, 4);
    const channels = staticDim(inputs[0], -1, 'DepthwiseConv2D');
    const ws = [weightSpec('depthwise_kernel', [...c.kernel, channels, c.depthMultiplier], c.depthwiseInit)];
    if (c.useBias) ws.push(weightSpec('bias', [channels * c.depthMultiplier], c.biasInit));
    return ws;
  },
  lower(b, c, [x], weights) {
    const y = b.op('depthwise_conv2d', [x, getWeight(weights, 'depthwise_kernel')], {
      strides: c.strides,
      dilations: c.dilation,
      padding: c.padding,
    });
    return [applyActivation(b, c.activation, addBias(b, y, weights, c.useBias))];
  },
};

interface SeparableConfig extends DepthwiseConfig {
  filters: number;
  pointwiseInit: InitializerConfig;
}

/** Depthwise conv (the layer's strides/padding/dilation), then a 1x1 pointwise conv, bias, activation. */
export const SeparableConv2D: LayerDef<SeparableConfig> = {
  className: 'SeparableConv2D',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = {
      filters: r.positiveInt('filters'),
      depthMultiplier: r.positiveInt('depth_multiplier', 1),
      depthwiseInit: r.initializer('depthwise_initializer', INIT.glorotUniform()),
      pointwiseInit: r.initializer('pointwise_initializer', INIT.glorotUniform()),
      ...readCommon(r, 2, ['valid', 'same']),
    };
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1, 4);
    const channels = staticDim(inputs[0], -1, 'SeparableConv2D');
    const ws = [
      weightSpec('depthwise_kernel', [...c.kernel, channels, c.depthMultiplier], c.depthwiseInit),
      weightSpec('pointwise_kernel', [1, 1, channels * c.depthMultiplier, c.filters], c.pointwiseInit),
    ];
    if (c.useBias) ws.push(weightSpec('bias', [c.filters], c.biasInit));
    return ws;
  },
  lower(b, c, [x], weights) {
    const depthwise = b.op('depthwise_conv2d', [x, getWeight(weights, 'depthwise_kernel')], {
      strides: c.strides,
      dilations: c.dilation,
      padding: c.padding,
    });
    const y = b.op('conv2d', [depthwise, getWeight(weights, 'pointwise_kernel')]);
    return [applyActivation(b, c.activation, addBias(b, y, weights, c.useBias))];
  },
};

/** Kernel is `[kh, kw, filters, in]`: output channels before input channels. */
export const Conv2DTranspose: LayerDef<ConvConfig> = {
  className: 'Conv2DTranspose',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    r.expect('output_padding', null, 'output_padding is not implemented');
    const c = {
      filters: r.positiveInt('filters'),
      kernelInit: r.initializer('kernel_initializer', INIT.glorotUniform()),
      ...readCommon(r, 2, ['valid', 'same']),
    };
    if (c.dilation.some((d) => d !== 1)) throw r.error('dilation_rate', `must be 1 for Conv2DTranspose, got [${c.dilation.join(', ')}]`);
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1, 4);
    return kernelAndBias(c, [...c.kernel, c.filters, staticDim(inputs[0], -1, 'Conv2DTranspose')]);
  },
  lower(b, c, [x], weights) {
    const y = b.op('conv2d_transpose', [x, getWeight(weights, 'kernel')], { strides: c.strides, padding: c.padding });
    return [applyActivation(b, c.activation, addBias(b, y, weights, c.useBias))];
  },
};

registerWithAliases(Conv1D, 'Convolution1D');
registerWithAliases(Conv2D, 'Convolution2D');
registerWithAliases(DepthwiseConv2D);
registerWithAliases(SeparableConv2D, 'SeparableConvolution2D');
registerWithAliases(Conv2DTranspose, 'Convolution2DTranspose', 'Deconvolution2D');
