/**
 * `conv2d`: 2-D convolution, NHWC input, [kh,kw,C,F] filter, no bias.
 *
 *   %2 = conv2d(%x, %w) {strides=[2,1], dilations=[1,1], padding="same", pads=[[0,0],[0,0]], input_dilations=[1,1]} : f32[N,6,12,8]
 *
 * with %x: f32[N,11,12,3] and %w: f32[3,4,3,8]. `same` is TensorFlow's
 * (possibly asymmetric, the extra row/column after); `explicit` uses
 * `pads = [[top,bottom],[left,right]]`. `input_dilations` spaces the input
 * pixels apart with zeros before the window slides (the form
 * conv2d_transpose is canonicalized to; geometry.ts).
 */
import { defineOp } from '../../ir/define_op.js';
import { convolveDense } from './direct.js';
import { CONV2D_ATTRS, convGeometry } from './geometry.js';

defineOp({
  name: 'conv2d',
  doc: 'NHWC 2-D convolution with a [kh,kw,C,F] filter; TF same/valid or explicit padding, strides, dilation, input dilation.',
  attrs: CONV2D_ATTRS,
  arity: 2,
  fusionAnchor: true,
  infer([x, w], attrs) {
    const g = convGeometry(x, w, attrs);
    return [{ dtype: 'f32', shape: [x.shape[0], g.outH, g.outW, g.f] }];
  },
  reference([x, w], attrs) {
    const g = convGeometry(x, w, attrs);
    return [convolveDense(x.data as Float32Array, x.shape[0], g.h, g.w, g.c, w.data as Float32Array, g.f, g, [g.inDilH, g.inDilW])];
  },
});
