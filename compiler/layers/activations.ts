/**
 * Keras activation functions by name, shared by every layer with an
 * `activation` option and by the `Activation` layer. Each name lowers to one
 * or a few elementwise IR ops.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { show, snakeCase, type ConfigReader } from './config.js';

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

/** A validated activation name (snake_case). */
export type Activation = string;

export function activationNames(): string[] {
  return Object.keys(ACTIVATIONS).sort();
}

/** Reads an activation option; null or absent means `fallback`. Unknown names are errors. */
export function readActivation(r: ConfigReader, key: string, fallback: Activation = 'linear'): Activation {
  const v = r.value(key) ?? fallback;
  const name = typeof v === 'string' ? snakeCase(v) : undefined;
  if (name === undefined || !(name in ACTIVATIONS)) {
    throw r.error(key, `names an unknown activation ${show(v)} (tfc supports: ${activationNames().join(', ')})`);
  }
  return name;
}

/** Emits the activation's ops on `x`. */
export function applyActivation(b: GraphBuilder, name: Activation, x: Value): Value {
  const lower = ACTIVATIONS[name];
  if (!lower) throw new Error(`unknown activation '${name}'`);
  return lower(b, x);
}
