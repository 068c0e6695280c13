/**
 * Activation layers with options: ReLU, LeakyReLU, PReLU, ELU, Softmax,
 * ThresholdedReLU.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { formatType } from '../ir/types.js';
import { ConfigReader, INIT, show, type InitializerConfig } from './config.js';
import { expectInputs, featureShape, getWeight, registerWithAliases } from './helpers.js';
import { LayerError, type LayerDef } from './layer.js';

interface ReluConfig {
  maxValue?: number;
  negativeSlope: number;
  threshold: number;
}

/**
 * Keras' general relu: `max_value` caps, values below `threshold` become
 * `negative_slope * (x - threshold)`. Plain relu / relu6 use their own ops.
 */
function generalRelu(b: GraphBuilder, c: ReluConfig, x: Value): Value {
  let y: Value;
  let needsClip = c.maxValue !== undefined;
  if (c.threshold !== 0) {
    y = b.op('select', [b.op('greater', [x, b.scalar(c.threshold)]), x, b.scalar(0)]);
  } else if (c.maxValue === 6) {
    y = b.op('relu6', [x]);
    needsClip = false;
  } else {
    y = b.op('relu', [x]);
  }
  if (needsClip) y = b.op('clip', [y], { min: 0, max: c.maxValue as number });
  if (c.negativeSlope !== 0) {
    const below = b.op('relu', [b.op('sub', [b.scalar(c.threshold), x])]);
    y = b.op('sub', [y, b.op('mul', [b.scalar(c.negativeSlope), below])]);
  }
  return y;
}

export const ReLU: LayerDef<ReluConfig> = {
  className: 'ReLU',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c: ReluConfig = {
      negativeSlope: r.float('negative_slope', 0),
      threshold: r.float('threshold', 0),
    };
    const maxValue = r.optionalFloat('max_value');
    if (maxValue !== undefined) {
      if (maxValue < 0) throw r.error('max_value', `must be >= 0, got ${maxValue}`);
      c.maxValue = maxValue;
    }
    r.finish();
    return c;
  },
  weights: () => [],
  lower: (b, c, [x]) => [generalRelu(b, c, x)],
};

interface AlphaConfig {
  alpha: number;
}

export const LeakyReLU: LayerDef<AlphaConfig> = {
  className: 'LeakyReLU',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    // Keras 2 and TF.js call the slope `alpha`, Keras 3 `negative_slope`; both default to 0.3.
    const key = r.has('negative_slope') ? 'negative_slope' : 'alpha';
    const c = { alpha: r.float(key, 0.3) };
    r.value('alpha');
    r.finish();
    return c;
  },
  weights: () => [],
  lower: (b, c, [x]) => [b.op('leaky_relu', [x], { alpha: c.alpha })],
};

export const ELU: LayerDef<AlphaConfig> = {
  className: 'ELU',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = { alpha: r.float('alpha', 1) };
    r.finish();
    return c;
  },
  weights: () => [],
  lower: (b, c, [x]) => [b.op('elu', [x], { alpha: c.alpha })],
};

interface PReluConfig {
  sharedAxes: number[];
  init: InitializerConfig;
}

export const PReLU: LayerDef<PReluConfig> = {
  className: 'PReLU',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const sharedAxes = r.has('shared_axes') ? r.intList('shared_axes') : [];
    if (sharedAxes.some((a) => a < 1)) throw r.error('shared_axes', `must be axes >= 1 (1-based after the batch), got ${show(sharedAxes)}`);
    const c = { sharedAxes, init: r.initializer('alpha_initializer', INIT.zeros()) };
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1);
    const shape = featureShape(inputs[0], 'PReLU');
    for (const a of c.sharedAxes) {
      if (a > shape.length) throw new LayerError(`shared axis ${a} is out of range for an input of ${formatType(inputs[0])}`);
      shape[a - 1] = 1;
    }
    return [{ name: 'alpha', shape, dtype: 'f32', trainable: true, initializer: c.init }];
  },
  lower(b, _c, [x], weights) {
    // alpha has the input's shape without the batch axis (1 on shared axes), so it broadcasts.
    const negative = b.op('mul', [getWeight(weights, 'alpha'), x]);
    return [b.op('select', [b.op('greater_equal', [x, b.scalar(0)]), x, negative])];
  },
};

interface SoftmaxConfig {
  axes: number[];
}

export const Softmax: LayerDef<SoftmaxConfig> = {
  className: 'Softmax',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const axes = r.intList('axis', -1);
    if (axes.length !== 1) throw r.error('axis', `must be a single axis, got ${show(axes)}`);
    r.finish();
    return { axes };
  },
  weights: () => [],
  lower: (b, c, [x]) => [b.op('softmax', [x], { axis: c.axes[0] })],
};

interface ThresholdConfig {
  theta: number;
}

export const ThresholdedReLU: LayerDef<ThresholdConfig> = {
  className: 'ThresholdedReLU',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = { theta: r.float('theta', 1) };
    r.finish();
    return c;
  },
  weights: () => [],
  lower: (b, c, [x]) => [b.op('select', [b.op('greater', [x, b.scalar(c.theta)]), x, b.scalar(0)])],
};

registerWithAliases(ReLU);
registerWithAliases(LeakyReLU);
registerWithAliases(ELU);
registerWithAliases(PReLU);
registerWithAliases(Softmax);
registerWithAliases(ThresholdedReLU);
