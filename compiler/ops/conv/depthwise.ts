/**
 * `depthwise_conv2d`: each input channel convolved with its own M filters,
 * NHWC input, [kh,kw,C,M] filter, output channel `c*M + m`, no bias.
 *
 *   %2 = depthwise_conv2d(%x, %w) {strides=[2,2], dilations=[1,1], padding="same", pads=[[0,0],[0,0]]} : f32[N,5,5,8]
 *
 * with %x: f32[N,9,10,4] and %w: f32[3,3,4,2]. Padding as for conv2d.
 */
import { defineOp } from '../../ir/define_op.js';
import { convolveDense } from './direct.js';
import { FILTER_WINDOW_ATTRS, filterWindow } from './filter-window.js';

const LAYOUT = '[kh,kw,C,M]';

defineOp({
  name: 'depthwise_conv2d',
  doc: 'NHWC depthwise convolution with a [kh,kw,C,M] filter; output channel c*M+m.',
  attrs: FILTER_WINDOW_ATTRS,
  arity: 2,
  fusionAnchor: true,
  infer([x, w], attrs) {
    const win = filterWindow(x, w, attrs, LAYOUT);
    const channels = (w.shape[2] as number) * (w.shape[3] as number);
    return [{ dtype: 'f32', shape: [x.shape[0], win.outH, win.outW, channels] }];
  },
  reference([x, w], attrs) {
    const win = filterWindow(x, w, attrs, LAYOUT);
    const [batch, h, wd, c] = x.shape;
    // Output channel c*M + m: C groups of one input channel and M filters each.
    return [convolveDense(x.data as Float32Array, batch, h, wd, c, w.data as Float32Array, c * w.shape[3], win, [1, 1], c)];
  },
});
