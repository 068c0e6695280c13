/**
 * `depthwise_conv2d`: each input channel convolved with its own M filters,
 * NHWC input, [kh,kw,C,M] filter, output channel `c*M + m`, no bias.
 *
 *   %2 = depthwise_conv2d(%x, %w) {strides=[2,2], dilations=[1,1], padding="same", pads=[[0,0],[0,0]]} : f32[N,5,5,8]
 *
 * with %x: f32[N,9,10,4] and %w: f32[3,3,4,2]. Padding as for conv2d.
 */
import { registerOp } from '../../ir/op.js';
import { FILTER_WINDOW_ATTRS, filterWindow } from './filter-window.js';

const LAYOUT = '[kh,kw,C,M]';

registerOp({
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
    const { kh, kw, strideH, strideW, dilH, dilW, padTop, padLeft, outH, outW } = filterWindow(x, w, attrs, LAYOUT);
    const [batch, h, wd, c] = x.shape;
    const m = w.shape[3];
    const cm = c * m;
    const xs = x.data as Float32Array;
    const filter = w.data as Float32Array;
    const out = new Float32Array(batch * outH * outW * cm);
    // Filter [ky,kx,c,m] flattens to ((ky*kw+kx)*c + ci)*m + mi = (ky*kw+kx)*cm + output channel.
    const acc = new Float64Array(cm);
    let o = 0;
    for (let b = 0; b < batch; b++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          acc.fill(0);
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * strideH - padTop + ky * dilH;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * strideW - padLeft + kx * dilW;
              if (ix < 0 || ix >= wd) continue;
              const xBase = ((b * h + iy) * wd + ix) * c;
              const wBase = (ky * kw + kx) * cm;
              for (let ci = 0; ci < c; ci++) {
                const xv = xs[xBase + ci];
                for (let mi = 0; mi < m; mi++) acc[ci * m + mi] += xv * filter[wBase + ci * m + mi];
              }
            }
          }
          for (let k = 0; k < cm; k++) out[o++] = acc[k];
        }
      }
    }
    return [{ dtype: 'f32', shape: [batch, outH, outW, cm], data: out }];
  },
});
