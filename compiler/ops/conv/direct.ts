/**
 * The reference convolution loop, NHWC input and [kh,kw,C/groups,F] filter,
 * shared by conv2d, conv1d (conv2d over a height of 1) and depthwise_conv2d
 * (C groups of one input channel each; its [kh,kw,C,M] filter is the same
 * bytes as [kh,kw,1,C*M]). A window position between the pixels of a dilated
 * input reads zero. Sums run in float64 so the oracle's rounding stays well
 * inside the tolerance.
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
  inputDilations: readonly number[] = [1, 1],
  groups = 1,
): Tensor {
  const { kh, kw, strideH, strideW, dilH, dilW, padTop, padLeft, outH, outW } = win;
  const [inDilH, inDilW] = inputDilations;
  // Input channel ci feeds the output channels of its group only.
  const groupIn = c / groups;
  const groupOut = f / groups;
  const out = new Float32Array(batch * outH * outW * f);
  const acc = new Float64Array(f);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kh; ky++) {
          const py = oy * strideH - padTop + ky * dilH;
          const iy = py / inDilH;
          if (py < 0 || py % inDilH !== 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const px = ox * strideW - padLeft + kx * dilW;
            const ix = px / inDilW;
            if (px < 0 || px % inDilW !== 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * c;
            const wBase = (ky * kw + kx) * groupIn * f;
            for (let ci = 0; ci < c; ci++) {
              const xv = x[xBase + ci];
              const wRow = wBase + (ci % groupIn) * f;
              const first = Math.floor(ci / groupIn) * groupOut;
              for (let fo = first; fo < first + groupOut; fo++) acc[fo] += xv * filter[wRow + fo];
            }
          }
        }
        for (let fo = 0; fo < f; fo++) out[o++] = acc[fo];
      }
    }
  }
  return { dtype: 'f32', shape: [batch, outH, outW, f], data: out };
}
