/**
 * Keras activation functions, shared by every layer with an `activation`
 * option and by the `Activation` layer. Each name lowers to one or a few
 * elementwise IR ops.
 *
 * Keras accepts an activation as a name or as an object, and writes it back
 * in each version's serialization:
 *  - a name: `"relu"` (every version, TF.js);
 *  - a function object: `{class_name: "function", config: "relu", module,
 *    registered_name}` (Keras 3 and tf-keras 2.13+ serializers);
 *  - a layer object for `activation=layers.ReLU()`: `{class_name: "ReLU",
 *    config: {...}}` (Keras 2), with `module` / `registered_name` /
 *    `build_config` (tf-keras 2.13+, Keras 3).
 * A layer object is lowered by that layer's own definition; only weightless
 * activation layers qualify (a PReLU would own weights the host layer does
 * not list).
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { show, snakeCase, type ConfigReader } from './config.js';
import type { LayerDef } from './layer.js';
import { getLayer } from './registry.js';

type Lowering = (b: GraphBuilder, x: Value) => Value;

/** `relu6(x + 3) / 6`: Keras 3's hard_sigmoid and the gate of hard_silu. */
function hardSigmoidV3(b: GraphBuilder, x: Value): Value {
  const shifted = b.op('add', [x, b.scalar(3)]);
  return b.op('div', [b.op('relu6', [shifted]), b.scalar(6)]);
}

const unary =
  (op: string): Lowering =>
  (b, x) =>
    b.op(op, [x]);

const ACTIVATIONS: Record<string, Lowering> = {
  linear: (_b, x) => x,
  relu: unary('relu'),
  relu6: unary('relu6'),
  elu: unary('elu'),
  selu: unary('selu'),
  softplus: unary('softplus'),
  log_sigmoid: unary('log_sigmoid'),
  softsign: unary('softsign'),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  // Keras 2's piecewise-linear form clip(0.2x + 0.5, 0, 1).
  hard_sigmoid: unary('hard_sigmoid'),
  hard_sigmoid_v3: hardSigmoidV3,
  swish: unary('swish'),
  silu: unary('swish'),
  mish: unary('mish'),
  gelu: (b, x) => b.op('gelu', [x], { approximate: false }),
  softmax: (b, x) => b.op('softmax', [x], { axis: -1 }),
  log_softmax: (b, x) => b.op('log_softmax', [x], { axis: -1 }),
  exponential: unary('exp'),
  leaky_relu: (b, x) => b.op('leaky_relu', [x], { alpha: 0.2 }),
  hard_silu: (b, x) => b.op('mul', [x, hardSigmoidV3(b, x)]),
  hard_swish: (b, x) => b.op('mul', [x, hardSigmoidV3(b, x)]),
};

/** A weightless activation layer given as the activation, with its parsed config. */
export interface LayerActivation {
  layer: LayerDef;
  config: unknown;
}

/** A validated activation: a name (snake_case) or an activation layer. */
export type Activation = string | LayerActivation;

/** Layer classes Keras accepts as an activation object and tfc lowers in place. */
const ACTIVATION_LAYERS = ['Activation', 'ELU', 'LeakyReLU', 'ReLU', 'Softmax', 'ThresholdedReLU'];

export function activationNames(): string[] {
  return Object.keys(ACTIVATIONS).sort();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function activationByName(r: ConfigReader, key: string, written: unknown, name: string): Activation {
  const snake = snakeCase(name);
  if (!(snake in ACTIVATIONS)) {
    throw r.error(key, `names an unknown activation ${show(written)} (tfc supports: ${activationNames().join(', ')})`);
  }
  return snake;
}

/** An activation written as a serialized object (`{class_name, config, module?, registered_name?}`). */
function activationObject(r: ConfigReader, key: string, v: Record<string, unknown>): Activation {
  const className = v.class_name;
  if (className === 'function' && typeof v.config === 'string') return activationByName(r, key, v, v.config);
  if (typeof className !== 'string' || !ACTIVATION_LAYERS.includes(className)) {
    const which = typeof className === 'string' ? `a '${className}' object` : `an object without a class_name`;
    throw r.error(
      key,
      `is ${which}; tfc supports an activation name, a Keras activation function object or one of the ` +
        `weightless activation layers ${ACTIVATION_LAYERS.join(', ')}`,
    );
  }
  const config = v.config ?? {};
  if (!isRecord(config)) throw r.error(key, `is a ${className} object whose 'config' is not an object (got ${show(config)})`);
  const layer = getLayer(className, `${r.where}: option '${key}'`);
  return { layer, config: layer.parseConfig(config, `${r.where}: option '${key}' (${className})`) };
}

/** Reads an activation option; null or absent means `fallback`. Unknown names and objects are errors. */
export function readActivation(r: ConfigReader, key: string, fallback = 'linear'): Activation {
  const v = r.value(key) ?? fallback;
  if (typeof v === 'string') return activationByName(r, key, v, v);
  if (isRecord(v)) return activationObject(r, key, v);
  throw r.error(key, `must be an activation name or a serialized activation object, got ${show(v)}`);
}

/** Emits the activation's ops on `x`. */
export function applyActivation(b: GraphBuilder, activation: Activation, x: Value): Value {
  if (typeof activation !== 'string') return activation.layer.lower(b, activation.config, [x], new Map())[0];
  const lower = ACTIVATIONS[activation];
  if (!lower) throw new Error(`unknown activation '${activation}'`);
  return lower(b, x);
}
