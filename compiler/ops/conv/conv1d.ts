/**
 * `conv1d`: 1-D convolution over [N,W,C] with a [k,C,F] filter, no bias.
 *
 *   %2 = conv1d(%x, %w) {stride=1, dilation=2, padding="causal", pads=[0,0]} : f32[N,20,8]
 *
 * with %x: f32[N,20,3] and %w: f32[3,3,8]. Padding is TF `valid` / `same`,
 * `causal` (left padding (k-1)*dilation, so output t sees inputs <= t) or
 * `explicit` with `pads = [left,right]`. It is conv2d over a height of 1
 * (`asConv2d`), the form the canonicalize-conv pass gives targets.
 */
import type { Attrs } from '../../ir/attrs.js';
import { defineOp } from '../../ir/define_op.js';
import { IRError } from '../../ir/errors.js';
import type { OpAttrs } from '../../ir/op_types.js';
import type { TensorType } from '../../ir/types.js';
import { formatType } from '../../ir/types.js';
import { convolveDense } from './direct.js';
import { axisWindow, positiveInts, requireF32Rank, staticDim, type Window2D } from './window.js';

function conv1dWindow(x: TensorType, w: TensorType, attrs: OpAttrs['conv1d']): Window2D {
  requireF32Rank(x, 3, 'x', '[N,W,C]');
  requireF32Rank(w, 3, 'w', '[k,C,F]');
  const { stride, dilation, padding, pads } = attrs;
  positiveInts([stride], 1, 'stride');
  positiveInts([dilation], 1, 'dilation');
  if (pads.length !== 2 || pads.some((p) => p < 0)) {
    throw new IRError(`pads must be [left,right] of non-negative integers, got [${pads.join(',')}]`);
  }
  if (padding !== 'explicit' && pads.some((p) => p !== 0)) {
    throw new IRError(`pads [${pads.join(',')}] are only used with padding "explicit", not "${padding}"`);
  }
  const size = staticDim(x.shape, 1, 'input width');
  staticDim(x.shape, 2, 'input channels');
  const k = staticDim(w.shape, 0, 'kernel width');
  staticDim(w.shape, 2, 'filter count');
  if (x.shape[2] !== w.shape[1]) {
    throw new IRError(
      `input channels differ: x ${formatType(x)} has ${String(x.shape[2])}, w ${formatType(w)} expects ${String(w.shape[1])}`,
    );
  }
  const axis =
    padding === 'causal'
      ? axisWindow('width', size, k, stride, dilation, 'explicit', [(k - 1) * dilation, 0])
      : axisWindow('width', size, k, stride, dilation, padding, pads);
  return { kh: 1, kw: k, strideH: 1, strideW: stride, dilH: 1, dilW: dilation, padTop: 0, padLeft: axis.before, outH: 1, outW: axis.out };
}

/** The attributes of the conv2d over [N,1,W,C] with a [1,k,C,F] filter that computes this conv1d. */
export function asConv2d(attrs: OpAttrs['conv1d'], kernel: number): Attrs {
  const { dilation, padding } = attrs;
  const causal = padding === 'causal';
  return {
    strides: [1, attrs.stride],
    dilations: [1, dilation],
    padding: causal ? 'explicit' : padding,
    pads: [[0, 0], causal ? [(kernel - 1) * dilation, 0] : attrs.pads],
  };
}

defineOp({
  name: 'conv1d',
  doc: 'Convolution over [N,W,C] with a [k,C,F] filter; valid, same, causal or explicit padding.',
  attrs: {
    stride: { kind: 'int', default: 1 },
    dilation: { kind: 'int', default: 1 },
    padding: { kind: 'string', default: 'valid', values: ['valid', 'same', 'causal', 'explicit'] },
    pads: { kind: 'ints', default: [0, 0], doc: '[left,right] for padding "explicit"' },
  },
  arity: 2,
  fusionAnchor: true,
  infer([x, w], attrs) {
    const win = conv1dWindow(x, w, attrs);
    return [{ dtype: 'f32', shape: [x.shape[0], win.outW, w.shape[2]] }];
  },
  reference([x, w], attrs) {
    const win = conv1dWindow(x, w, attrs);
    const [batch, size, c] = x.shape;
    const f = w.shape[2];
    const out = convolveDense(x.data as Float32Array, batch, 1, size, c, w.data as Float32Array, f, win);
    return [{ dtype: 'f32', shape: [batch, win.outW, f], data: out.data }];
  },
});
