/**
 * BatchNormalization (inference: moving statistics) and LayerNormalization.
 * Where Keras omits gamma (`scale: false`) or beta (`center: false`), the
 * lowering supplies ones / zeros with `fill`, which constant folding removes.
 */
import type { TensorType } from '../ir/types.js';
import { ConfigReader, INIT, show, type InitializerConfig } from './config.js';
import { expectInputs, featureAxis, filled, getWeight, registerWithAliases, staticDim, weightSpec } from './helpers.js';
import type { LayerDef, WeightSpec } from './layer.js';

interface BatchNormConfig {
  axis: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  inits: Record<'gamma' | 'beta' | 'moving_mean' | 'moving_variance', InitializerConfig>;
}

/** The normalized axis, non-negative, for this input; the batch axis is rejected. */
function channelAxis(c: BatchNormConfig, t: TensorType): number {
  return featureAxis(c.axis, t, 'axis');
}

export const BatchNormalization: LayerDef<BatchNormConfig> = {
  className: 'BatchNormalization',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const axes = r.intList('axis', -1);
    if (axes.length !== 1) throw r.error('axis', `must be one axis, got ${show(axes)}`);
    const c: BatchNormConfig = {
      axis: axes[0],
      epsilon: r.float('epsilon', 1e-3),
      center: r.bool('center', true),
      scale: r.bool('scale', true),
      inits: {
        gamma: r.initializer('gamma_initializer', INIT.ones()),
        beta: r.initializer('beta_initializer', INIT.zeros()),
        moving_mean: r.initializer('moving_mean_initializer', INIT.zeros()),
        moving_variance: r.initializer('moving_variance_initializer', INIT.ones()),
      },
    };
    // Renormalization changes only training; at inference Keras uses the moving statistics either way.
    r.value('renorm');
    r.value('renorm_clipping');
    r.expect('virtual_batch_size', null, 'ghost batch normalization is not implemented');
    r.expect('adjustment', null, 'an adjustment function cannot be imported');
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1);
    const channels = staticDim(inputs[0], channelAxis(c, inputs[0]), 'BatchNormalization');
    const ws: WeightSpec[] = [];
    if (c.scale) ws.push(weightSpec('gamma', [channels], c.inits.gamma));
    if (c.center) ws.push(weightSpec('beta', [channels], c.inits.beta));
    ws.push(weightSpec('moving_mean', [channels], c.inits.moving_mean, false));
    ws.push(weightSpec('moving_variance', [channels], c.inits.moving_variance, false));
    return ws;
  },
  lower(b, c, [x], weights) {
    const axis = channelAxis(c, x.type);
    const channels = staticDim(x.type, axis, 'BatchNormalization');
    const gamma = c.scale ? getWeight(weights, 'gamma') : filled(b, [channels], 1);
    const beta = c.center ? getWeight(weights, 'beta') : filled(b, [channels], 0);
    const mean = getWeight(weights, 'moving_mean');
    const variance = getWeight(weights, 'moving_variance');
    return [b.op('batch_norm', [x, mean, variance, gamma, beta], { epsilon: c.epsilon, axis })];
  },
};

interface LayerNormConfig {
  axes: number[];
  epsilon: number;
  center: boolean;
  scale: boolean;
  gammaInit: InitializerConfig;
  betaInit: InitializerConfig;
}

/** Non-negative, sorted, distinct normalized axes for this input. */
function normAxes(c: LayerNormConfig, t: TensorType): number[] {
  const axes = c.axes.map((a) => featureAxis(a, t, 'axis'));
  return [...new Set(axes)].sort((a, b) => a - b);
}

export const LayerNormalization: LayerDef<LayerNormConfig> = {
  className: 'LayerNormalization',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c: LayerNormConfig = {
      axes: r.intList('axis', -1),
      epsilon: r.float('epsilon', 1e-3),
      center: r.bool('center', true),
      scale: r.bool('scale', true),
      gammaInit: r.initializer('gamma_initializer', INIT.ones()),
      betaInit: r.initializer('beta_initializer', INIT.zeros()),
    };
    r.expect('rms_scaling', false, 'RMS scaling is not implemented');
    r.finish();
    return c;
  },
  weights(c, inputs) {
    expectInputs(inputs, 1);
    const shape = normAxes(c, inputs[0]).map((a) => staticDim(inputs[0], a, 'LayerNormalization'));
    const ws: WeightSpec[] = [];
    if (c.scale) ws.push(weightSpec('gamma', shape, c.gammaInit));
    if (c.center) ws.push(weightSpec('beta', shape, c.betaInit));
    return ws;
  },
  lower(b, c, [x], weights) {
    const axes = normAxes(c, x.type);
    const shape = axes.map((a) => staticDim(x.type, a, 'LayerNormalization'));
    const gamma = c.scale ? getWeight(weights, 'gamma') : filled(b, shape, 1);
    const beta = c.center ? getWeight(weights, 'beta') : filled(b, shape, 0);
    return [b.op('layer_norm', [x, gamma, beta], { axes, epsilon: c.epsilon })];
  },
};

// TF 1.13-1.15 wrote BatchNormalizationV1 / V2 (the v1 and v2 classes behind tf.keras.layers.BatchNormalization).
registerWithAliases(BatchNormalization, 'BatchNormalizationV1', 'BatchNormalizationV2');
registerWithAliases(LayerNormalization);
