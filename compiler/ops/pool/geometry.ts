/**
 * The one pooling geometry: where a max_pool2d / avg_pool2d window sits on
 * its NHWC input, read by the ops' shape inference and reference and by
 * every target's pooling kernel. Pads must be smaller than the window, so
 * every window, clipped to the input, holds real data.
 */
import type { AttrSchema } from '../../ir/attrs.js';
import { IRError } from '../../ir/errors.js';
import type { OpAttrs } from '../../ir/op_types.js';
import type { TensorType } from '../../ir/types.js';
import { checkPads2d, PADDING_2D, positiveInts, requireF32Rank, staticDim, window2d, type Window2D } from '../conv/window.js';

export type PoolOp = 'max_pool2d' | 'avg_pool2d';

export const POOL_ATTRS: AttrSchema = {
  pool: { kind: 'ints', default: [2, 2], doc: 'window height and width' },
  strides: { kind: 'ints', default: [2, 2] },
  padding: { kind: 'string', default: 'valid', values: PADDING_2D },
  pads: { kind: 'intss', default: [[0, 0], [0, 0]], doc: '[[top,bottom],[left,right]] for padding "explicit"' },
};

export interface PoolGeometry extends Window2D {
  /** Input height and width. */
  h: number;
  w: number;
}

/** Validates a pooling node's operand and attributes and returns its geometry (height and width are static). */
export function poolGeometry(x: TensorType, attrs: OpAttrs[PoolOp]): PoolGeometry {
  requireF32Rank(x, 4, 'x', '[N,H,W,C]');
  const { pool, strides, padding, pads } = attrs;
  positiveInts(pool, 2, 'pool');
  positiveInts(strides, 2, 'strides');
  checkPads2d(pads, padding);
  if (pads.some((p, axis) => p.some((v) => v >= pool[axis]))) {
    throw new IRError(`pads ${JSON.stringify(pads)} must be smaller than the pool window [${pool.join(',')}]`);
  }
  const h = staticDim(x.shape, 1, 'input height');
  const w = staticDim(x.shape, 2, 'input width');
  return { ...window2d(h, w, pool, strides, [1, 1], padding, pads), h, w };
}
