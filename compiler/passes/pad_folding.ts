/**
 * Pad folding: a zero `pad` of the spatial axes of an NHWC tensor, read only
 * by a sliding-window op, becomes that op's own explicit padding. The op's
 * existing padding (valid, same or explicit) is converted to explicit numbers
 * for the padded input and the pad's amounts are added; the result shape is
 * unchanged because the op sees the same padded extent.
 *
 * - conv2d / depthwise_conv2d: their padding is zeros, so folding is exact.
 * - max_pool2d: its padding is never selected, whereas a zero pad can be (when
 *   every real value in a window is negative), so it folds only when the pad's
 *   operand comes from an op whose results are never negative (relu, relu6), and
 *   only while the pads stay smaller than the window, as max_pool2d requires.
 *   (A window of only NaNs would pool to 0 before and -inf after; NaN in, NaN-ish out.)
 * - avg_pool2d never folds: it divides by the count of real elements, so zeros
 *   from a pad count while its own padding does not.
 *
 * Assumes a verified graph: a pad on a rank-4 tensor and static spatial sizes.
 */
import type { Node, Value } from '../ir/graph.js';
import { sameType } from '../ir/types.js';
import { windowPadding } from '../ops/util.js';
import type { GraphQueries } from './graph_queries.js';
import { applyLocalRewrites, type NodeEmitter } from './local_rewrite.js';
import type { Pass } from './pass.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

interface WindowShape {
  kernel: readonly number[];
  dilations: readonly number[];
}

interface WindowConsumer {
  /** Kernel extent and dilation per spatial axis. */
  window(node: Node): WindowShape;
  /** Whether a zero pad of `padded` can become this node's padding `pads`. */
  accepts(padded: Value, pads: number[][], node: Node, q: GraphQueries): boolean;
}

/** Ops whose results are never negative, so a max over them never picks an added zero. */
const NON_NEGATIVE = new Set(['relu', 'relu6']);

const filtered: WindowConsumer = {
  window(node) {
    const w = node.inputs[1].type.shape;
    return { kernel: [w[0] as number, w[1] as number], dilations: attrsOf(node, OP.conv2d, OP.depthwise_conv2d).dilations };
  },
  // A pad of an input-dilated conv2d's input would be dilated with it, not added to its padding.
  accepts: (_padded, _pads, node) => node.op !== OP.conv2d || attrsOf(node, OP.conv2d).input_dilations.every((d) => d === 1),
};

const maxPool: WindowConsumer = {
  window(node) {
    return { kernel: attrsOf(node, OP.max_pool2d).pool, dilations: [1, 1] };
  },
  accepts(padded, pads, node, q) {
    const producer = q.producer(padded);
    const { pool } = attrsOf(node, OP.max_pool2d);
    return producer !== undefined && NON_NEGATIVE.has(producer.op) && pads.every((p, axis) => p.every((v) => v < pool[axis]));
  },
};

const CONSUMERS: ReadonlyMap<string, WindowConsumer> = new Map([
  ['conv2d', filtered],
  ['depthwise_conv2d', filtered],
  ['max_pool2d', maxPool],
]);

/** True for a pad by zeros of the two spatial axes of a rank-4 tensor only. */
function isSpatialZeroPad(pad: Node): boolean {
  const { pads, value } = attrsOf(pad, OP.pad);
  const untouched = (axis: number): boolean => pads[axis][0] === 0 && pads[axis][1] === 0;
  return value === 0 && pads.length === 4 && untouched(0) && untouched(3);
}

/** The consumer's padding as explicit `[[top,bottom],[left,right]]` for its current input. */
function explicitPads(node: Node, shape: WindowShape): number[][] {
  const { padding, strides, pads } = attrsOf(node, OP.conv2d, OP.depthwise_conv2d, OP.max_pool2d);
  const input = node.inputs[0].type.shape;
  return [0, 1].map((axis) => {
    const size = input[axis + 1] as number;
    const p = windowPadding(size, shape.kernel[axis], strides[axis], shape.dilations[axis], padding, pads[axis]);
    return [p.before, p.after];
  });
}

function foldPad(node: Node, q: GraphQueries, emit: NodeEmitter): Value | undefined {
  const consumer = CONSUMERS.get(node.op);
  if (!consumer) return undefined;
  const pad = q.producer(node.inputs[0]);
  if (!pad || pad.op !== OP.pad || !isSpatialZeroPad(pad) || q.soleUser(pad.outputs[0]) !== node) return undefined;
  const added = attrsOf(pad, OP.pad).pads;
  const own = explicitPads(node, consumer.window(node));
  const pads = own.map((p, axis) => [p[0] + added[axis + 1][0], p[1] + added[axis + 1][1]]);
  const source = pad.inputs[0];
  if (!consumer.accepts(source, pads, node, q)) return undefined;
  const folded = emit.op(node.op, [source, ...node.inputs.slice(1)], { ...node.attrs, padding: 'explicit', pads });
  return sameType(folded.type, node.outputs[0].type) ? folded : undefined;
}

export const padFolding: Pass = {
  name: 'pad-folding',
  description: 'fold a zero spatial pad into the explicit padding of the conv2d / depthwise_conv2d / max_pool2d reading it',
  run: (g) => applyLocalRewrites(g, foldPad),
};
