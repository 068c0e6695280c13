/**
 * Batch-norm folding. An inference batch_norm is a per-channel affine map
 * `x * scale + shift` with scale = gamma * rsqrt(variance + epsilon) and
 * shift = beta - mean * scale.
 *
 * - After conv2d / conv1d / conv2d_transpose / depthwise_conv2d / matmul
 *   (optionally through a bias `add` of a constant [F]), over the last
 *   (output-channel) axis, the scale goes into the weight (w' = w * scale on its output-channel axis) and the rest
 *   becomes one bias add: conv(x, w') + (b * scale + shift). This needs a
 *   constant weight and parameters, and the conv / bias results read by
 *   nothing else (otherwise their unscaled values are still needed).
 * - Any other batch_norm with constant parameters becomes `mul` + `add` with
 *   the scale and shift reshaped to broadcast over its axis.
 *
 * The new weights and biases are written as IR ops on the constants, so
 * constant folding computes them with the ops' own reference semantics: no
 * arithmetic here is a second implementation. Assumes a verified graph.
 */
import type { Node, Value } from '../ir/graph.js';
import { normalizeAxis } from '../ir/types.js';
import type { GraphQueries } from './graph_queries.js';
import { applyLocalRewrites, type NodeEmitter } from './local_rewrite.js';
import type { Pass } from './pass.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

/**
 * Ops that can absorb a per-output-channel scale into their weight (operand 1).
 * Each gives the shape the scale [F] takes to broadcast over the weight's
 * output-channel axis, or nothing when it cannot.
 */
const ANCHORS: ReadonlyMap<string, (node: Node) => number[] | undefined> = new Map([
  // w [kh,kw,C,F] / [k,C,F]: F is the last axis.
  ['conv2d', (node: Node) => [node.inputs[1].type.shape[3] as number]],
  ['conv1d', (node: Node) => [node.inputs[1].type.shape[2] as number]],
  // w [kh,kw,F,C]: F is the third axis.
  ['conv2d_transpose', (node: Node) => [node.inputs[1].type.shape[2] as number, 1]],
  // w [kh,kw,C,M]: output channel c*M + m, so scale [C*M] is [C,M] row-major.
  ['depthwise_conv2d', (node: Node) => node.inputs[1].type.shape.slice(2) as number[]],
  // w [..,K,F], or [..,F,K] when transposed: F is the last or the second-to-last axis.
  [
    'matmul',
    (node: Node) => {
      const channels = node.outputs[0].type.shape.at(-1) as number;
      return attrsOf(node, OP.matmul).transpose_b ? [channels, 1] : [channels];
    },
  ],
]);

interface BatchNormParts {
  x: Value;
  mean: Value;
  variance: Value;
  gamma: Value;
  beta: Value;
  epsilon: number;
  axis: number;
}

function partsOf(bn: Node): BatchNormParts {
  const [x, mean, variance, gamma, beta] = bn.inputs;
  const { axis, epsilon } = attrsOf(bn, OP.batch_norm);
  return { x, mean, variance, gamma, beta, epsilon, axis: normalizeAxis(axis, x.type.shape.length) };
}

/** Emits scale = gamma * rsqrt(variance + epsilon) and shift = beta - mean * scale. */
function emitScaleShift(p: BatchNormParts, emit: NodeEmitter): { scale: Value; shift: Value } {
  const invStd = emit.op('rsqrt', [emit.op('add', [p.variance, emit.scalar(p.epsilon)])]);
  const scale = emit.op('mul', [p.gamma, invStd]);
  const shift = emit.op('sub', [p.beta, emit.op('mul', [p.mean, scale])]);
  return { scale, shift };
}

/** `v` reshaped to `shape` unless it already has it. */
function reshapedTo(v: Value, shape: number[], emit: NodeEmitter): Value {
  const same = v.type.shape.length === shape.length && v.type.shape.every((d, i) => d === shape[i]);
  return same ? v : emit.op('reshape', [v], { shape });
}

interface Producer {
  anchor: Node;
  bias?: Value;
}

/** The conv / matmul (and bias add) feeding `x` whose results nothing else reads, if any. */
function foldableProducer(x: Value, bn: Node, q: GraphQueries): Producer | undefined {
  if (q.soleUser(x) !== bn) return undefined;
  const p = q.producer(x);
  if (!p) return undefined;
  if (ANCHORS.has(p.op)) return { anchor: p };
  if (p.op !== OP.add) return undefined;
  for (const [k, bias] of p.inputs.entries()) {
    const other = p.inputs[1 - k];
    const anchor = q.producer(other);
    const channels = x.type.shape.at(-1);
    const isBias = bias.type.shape.length === 1 && bias.type.shape[0] === channels && q.isConstant(bias);
    if (anchor && ANCHORS.has(anchor.op) && isBias && q.soleUser(other) === p) return { anchor, bias };
  }
  return undefined;
}

function foldIntoProducer(bn: Node, p: BatchNormParts, q: GraphQueries, emit: NodeEmitter): Value | undefined {
  if (p.axis !== p.x.type.shape.length - 1) return undefined;
  const producer = foldableProducer(p.x, bn, q);
  if (!producer) return undefined;
  const { anchor, bias } = producer;
  const weight = anchor.inputs[1];
  const scaleShape = ANCHORS.get(anchor.op)?.(anchor);
  if (!scaleShape || !q.isConstant(weight)) return undefined;
  const { scale, shift } = emitScaleShift(p, emit);
  const scaledWeight = emit.op('mul', [weight, reshapedTo(scale, scaleShape, emit)]);
  const scaled = emit.op(anchor.op, [anchor.inputs[0], scaledWeight], anchor.attrs);
  const newBias = bias ? emit.op('add', [emit.op('mul', [bias, scale]), shift]) : shift;
  return emit.op('add', [scaled, newBias]);
}

function scaleAndShift(p: BatchNormParts, emit: NodeEmitter): Value {
  const { scale, shift } = emitScaleShift(p, emit);
  const channels = p.x.type.shape[p.axis] as number;
  const broadcastShape = [channels, ...new Array<number>(p.x.type.shape.length - 1 - p.axis).fill(1)];
  const scaled = emit.op('mul', [p.x, reshapedTo(scale, broadcastShape, emit)]);
  return emit.op('add', [scaled, reshapedTo(shift, broadcastShape, emit)]);
}

function foldBatchNorm(node: Node, q: GraphQueries, emit: NodeEmitter): Value | undefined {
  if (node.op !== OP.batch_norm) return undefined;
  const p = partsOf(node);
  if (![p.mean, p.variance, p.gamma, p.beta].every((v) => q.isConstant(v))) return undefined;
  return foldIntoProducer(node, p, q, emit) ?? scaleAndShift(p, emit);
}

export const batchNormFolding: Pass = {
  name: 'batchnorm-folding',
  description: 'fold inference batch_norm into the preceding conv / matmul weights and bias, else into one mul + add',
  run: (g) => applyLocalRewrites(g, foldBatchNorm),
};
