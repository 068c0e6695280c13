/**
 * `conv2d`: 2-D convolution, NHWC input, [kh,kw,C,F] filter, no bias.
 *
 *   %2 = conv2d(%x, %w) {strides=[2,1], dilations=[1,1], padding="same", pads=[[0,0],[0,0]]} : f32[N,6,12,8]
 *
 * with %x: f32[N,11,12,3] and %w: f32[3,4,3,8]. `same` is TensorFlow's
 * (possibly asymmetric, the extra row/column after); `explicit` uses
 * `pads = [[top,bottom],[left,right]]`.
 */
import { registerOp } from '../../ir/op.js';
import { convolveDense } from './direct.js';
import { FILTER_WINDOW_ATTRS, filterWindow } from './filter-window.js';

const LAYOUT = '[kh,kw,C,F]';

registerOp({
  name: 'conv2d',
  doc: 'NHWC 2-D convolution with a [kh,kw,C,F] filter; TF same/valid or explicit padding, strides, dilation.',
  attrs: FILTER_WINDOW_ATTRS,
  arity: 2,
  fusionAnchor: true,
  infer([x, w], attrs) {
    const win = filterWindow(x, w, attrs, LAYOUT);
    return [{ dtype: 'f32', shape: [x.shape[0], win.outH, win.outW, w.shape[3]] }];
  },
  reference([x, w], attrs) {
    const win = filterWindow(x, w, attrs, LAYOUT);
    const [batch, h, wd, c] = x.shape;
    return [convolveDense(x.data as Float32Array, batch, h, wd, c, w.data as Float32Array, w.shape[3], win)];
  },
});
