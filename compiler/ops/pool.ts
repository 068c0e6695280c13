/**
 * Op family 'pool' (docs/OPS.md): 2-D max and average pooling over NHWC.
 *
 *   %1 = max_pool2d(%x) {pool=[2,2], strides=[2,2], padding="same", pads=[[0,0],[0,0]]} : f32[N,5,5,3]
 *   %2 = avg_pool2d(%x) {pool=[3,2], strides=[1,2], padding="valid", pads=[[0,0],[0,0]]} : f32[N,7,5,3]
 *
 * with %x: f32[N,9,10,3]. Padding is TF `valid` / `same` or `explicit`
 * (`pads = [[top,bottom],[left,right]]`, each smaller than the window so
 * every window holds real data). Windows are cut to the input: max never
 * selects padding, and avg divides by the number of real elements. The
 * window geometry, which the targets read too, is ./pool/geometry.ts.
 */
import { defineOp } from '../ir/define_op.js';
import type { Tensor } from '../ir/tensor.js';
import type { Window2D } from './conv/window.js';
import { POOL_ATTRS, poolGeometry, type PoolOp } from './pool/geometry.js';

type Reducer = 'max' | 'avg';

/** Pools each window, clipped to the input, with `max` or the mean of its real elements. */
function pool2d(x: Tensor, win: Window2D, reducer: Reducer): Tensor {
  const [batch, h, w, c] = x.shape;
  const { kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = win;
  const xs = x.data as Float32Array;
  const out = new Float32Array(batch * outH * outW * c);
  const acc = new Float64Array(c);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = Math.max(oy * strideH - padTop, 0);
      const y1 = Math.min(oy * strideH - padTop + kh, h);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = Math.max(ox * strideW - padLeft, 0);
        const x1 = Math.min(ox * strideW - padLeft + kw, w);
        acc.fill(reducer === 'max' ? -Infinity : 0);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const base = ((b * h + iy) * w + ix) * c;
            if (reducer === 'max') {
              // NaN wins and stays (reduce_max's rule; TF.js's maxPool kernel would skip it).
              for (let ci = 0; ci < c; ci++) if (xs[base + ci] > acc[ci] || xs[base + ci] !== xs[base + ci]) acc[ci] = xs[base + ci];
            } else {
              for (let ci = 0; ci < c; ci++) acc[ci] += xs[base + ci];
            }
          }
        }
        const divisor = reducer === 'max' ? 1 : (y1 - y0) * (x1 - x0);
        for (let ci = 0; ci < c; ci++) out[o++] = acc[ci] / divisor;
      }
    }
  }
  return { dtype: 'f32', shape: [batch, outH, outW, c], data: out };
}

function registerPool(name: PoolOp, reducer: Reducer, doc: string): void {
  defineOp({
    name,
    doc,
    attrs: POOL_ATTRS,
    arity: 1,
    infer([x], attrs) {
      const win = poolGeometry(x, attrs);
      return [{ dtype: 'f32', shape: [x.shape[0], win.outH, win.outW, x.shape[3]] }];
    },
    reference([x], attrs) {
      return [pool2d(x, poolGeometry(x, attrs), reducer)];
    },
  });
}

registerPool('max_pool2d', 'max', 'NHWC max pooling; padding is never selected; a NaN in a window gives NaN.');
registerPool('avg_pool2d', 'avg', 'NHWC average pooling; padded windows divide by their count of real elements.');
