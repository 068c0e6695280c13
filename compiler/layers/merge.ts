/**
 * Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum (folded
 * pairwise with broadcasting ops), Concatenate and Dot.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { formatType } from '../ir/types.js';
import { ConfigReader, show } from './config.js';
import { featureAxis, registerWithAliases } from './helpers.js';
import { LayerError, type LayerDef } from './layer.js';

type Empty = Record<string, never>;

function parseEmpty(raw: Record<string, unknown>, where: string): Empty {
  new ConfigReader(raw, where).finish();
  return {};
}

function atLeastTwo(inputs: Value[]): void {
  if (inputs.length < 2) throw new LayerError(`expects at least 2 inputs, got ${inputs.length}`);
}

function fold(b: GraphBuilder, op: string, inputs: Value[]): Value {
  atLeastTwo(inputs);
  return inputs.slice(1).reduce((acc, x) => b.op(op, [acc, x]), inputs[0]);
}

function elementwiseMerge(className: string, op: string): LayerDef<Empty> {
  return { className, parseConfig: parseEmpty, weights: () => [], lower: (b, _c, inputs) => [fold(b, op, inputs)] };
}

export const Subtract: LayerDef<Empty> = {
  className: 'Subtract',
  parseConfig: parseEmpty,
  weights: () => [],
  lower(b, _c, inputs) {
    if (inputs.length !== 2) throw new LayerError(`expects exactly 2 inputs, got ${inputs.length}`);
    return [b.op('sub', inputs)];
  },
};

export const Average: LayerDef<Empty> = {
  className: 'Average',
  parseConfig: parseEmpty,
  weights: () => [],
  lower(b, _c, inputs) {
    return [b.op('div', [fold(b, 'add', inputs), b.scalar(inputs.length)])];
  },
};

interface ConcatenateConfig {
  axis: number;
}

export const Concatenate: LayerDef<ConcatenateConfig> = {
  className: 'Concatenate',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const c = { axis: r.int('axis', -1) };
    r.finish();
    return c;
  },
  weights: () => [],
  lower(b, c, inputs) {
    atLeastTwo(inputs);
    const axis = featureAxis(c.axis, inputs[0].type, 'axis');
    return [b.op('concat', inputs, { axis })];
  },
};

interface DotConfig {
  axes: [number, number];
  normalize: boolean;
}

/** L2-normalizes along one axis: x / sqrt(max(sum(x^2), 1e-12)). */
function l2Normalize(b: GraphBuilder, x: Value, axis: number): Value {
  const sumSq = b.op('reduce_sum', [b.op('square', [x])], { axes: [axis], keepdims: true });
  const norm = b.op('sqrt', [b.op('maximum', [sumSq, b.scalar(1e-12)])]);
  return b.op('div', [x, norm]);
}

/**
 * Per-sample contraction of one axis of each input (axes count the batch
 * axis). Rank 2: `(b, n) . (b, n) -> (b, 1)`. Rank 3: a batched matmul with
 * the transposes that bring the contracted axes together.
 */
export const Dot: LayerDef<DotConfig> = {
  className: 'Dot',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const axes = r.intList('axes');
    if (axes.length > 2) throw r.error('axes', `must be one axis or a pair, got ${show(axes)}`);
    const c: DotConfig = { axes: [axes[0], axes[axes.length - 1]], normalize: r.bool('normalize', false) };
    r.finish();
    return c;
  },
  weights: () => [],
  lower(b, c, inputs) {
    if (inputs.length !== 2) throw new LayerError(`expects exactly 2 inputs, got ${inputs.length}`);
    let [x, y] = inputs;
    const rank = x.type.shape.length;
    if (y.type.shape.length !== rank || (rank !== 2 && rank !== 3)) {
      throw new LayerError(`supports two rank-2 or two rank-3 inputs, got ${formatType(x.type)} and ${formatType(y.type)}`);
    }
    const ax = featureAxis(c.axes[0], x.type, 'axes');
    const ay = featureAxis(c.axes[1], y.type, 'axes');
    if (x.type.shape[ax] !== y.type.shape[ay]) {
      throw new LayerError(`axes ${show(c.axes)} have different sizes in ${formatType(x.type)} and ${formatType(y.type)}`);
    }
    if (c.normalize) {
      x = l2Normalize(b, x, ax);
      y = l2Normalize(b, y, ay);
    }
    if (rank === 2) return [b.op('reduce_sum', [b.op('mul', [x, y])], { axes: [1], keepdims: true })];
    // x as [b, i, k] and y as [b, k, j]: transpose x when it contracts axis 1, y when it contracts axis 2.
    return [b.op('matmul', [x, y], { transpose_a: ax === 1, transpose_b: ay === 2 })];
  },
};

registerWithAliases(elementwiseMerge('Add', 'add'));
registerWithAliases(Subtract);
registerWithAliases(elementwiseMerge('Multiply', 'mul'));
registerWithAliases(Average);
registerWithAliases(elementwiseMerge('Maximum', 'maximum'));
registerWithAliases(elementwiseMerge('Minimum', 'minimum'));
registerWithAliases(Concatenate);
registerWithAliases(Dot);
