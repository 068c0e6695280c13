/**
 * The reference dense convolution loop, NHWC input and [kh,kw,C,F] filter,
 * shared by conv2d and conv1d (which is conv2d over a height of 1). Sums run
 * in float64 so the oracle's rounding stays well inside the tolerance.
 */
import type { Tensor } from '../../ir/tensor.js';
import type { Window2D } from './window.js';

/** `x` is [batch, h, w, c] (given separately so conv1d can pass h = 1). */
export function convolveDense(
  x: Float32Array,
  batch: number,
  h: number,
  w: number,
  c: number,
  filter: Float32Array,
  f: number,
  win: Window2D,
): Tensor {
  const { kh, kw, strideH, strideW, dilH, dilW, padTop, padLeft, outH, outW } = win;
  const out = new Float32Array(batch * outH * outW * f);
  const acc = new Float64Array(f);
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
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * c;
            const wBase = (ky * kw + kx) * c * f;
            for (let ci = 0; ci < c; ci++) {
              const xv = x[xBase + ci];
              const wRow = wBase + ci * f;
              for (let fo = 0; fo < f; fo++) acc[fo] += xv * filter[wRow + fo];
            }
          }
        }
        for (let fo = 0; fo < f; fo++) out[o++] = acc[fo];
      }
    }
  }
  return { dtype: 'f32', shape: [batch, outH, outW, f], data: out };
}
