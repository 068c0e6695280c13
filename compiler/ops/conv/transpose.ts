/**
 * `conv2d_transpose`: Keras Conv2DTranspose (the gradient of conv2d with
 * respect to its input), NHWC input, [kh,kw,F,C] filter (output channels
 * first, as Keras stores it), no bias, no dilation.
 *
 *   %2 = conv2d_transpose(%x, %w) {strides=[2,2], padding="same"} : f32[N,10,8,6]
 *
 * with %x: f32[N,5,4,3] and %w: f32[3,3,6,3]. Per axis, `valid` gives
 * `(in-1)*stride + k`; `same` gives `in*stride`: the valid result with
 * `floor(max(k-stride,0)/2)` cropped at the start and the rest at the end
 * (when k < stride the tail the valid result does not reach is zero).
 * The same result is a stride-1 conv2d over the input dilated by the strides
 * with the filter flipped in space and its channel axes swapped
 * (`asDilatedConv2d`), the form the canonicalize-conv pass gives targets.
 */
import type { Attrs } from '../../ir/attrs.js';
import { defineOp } from '../../ir/define_op.js';
import { IRError } from '../../ir/errors.js';
import type { OpAttrs } from '../../ir/op_types.js';
import type { TensorType } from '../../ir/types.js';
import { formatType } from '../../ir/types.js';
import { positiveInts, requireF32Rank, staticDim } from './window.js';

interface AxisGeometry {
  out: number;
  /** Leading positions of the full (valid) result that are dropped. */
  crop: number;
}

function transposedAxis(size: number, kernel: number, stride: number, padding: string): AxisGeometry {
  if (padding === 'same') return { out: size * stride, crop: Math.floor(Math.max(kernel - stride, 0) / 2) };
  return { out: (size - 1) * stride + kernel, crop: 0 };
}

function transposeGeometry(x: TensorType, w: TensorType, attrs: OpAttrs['conv2d_transpose']): { rows: AxisGeometry; cols: AxisGeometry } {
  requireF32Rank(x, 4, 'x', '[N,H,W,C]');
  requireF32Rank(w, 4, 'w', '[kh,kw,F,C]');
  const { strides, padding } = attrs;
  positiveInts(strides, 2, 'strides');
  const h = staticDim(x.shape, 1, 'input height');
  const wd = staticDim(x.shape, 2, 'input width');
  staticDim(x.shape, 3, 'input channels');
  const kh = staticDim(w.shape, 0, 'kernel height');
  const kw = staticDim(w.shape, 1, 'kernel width');
  staticDim(w.shape, 2, 'filter count');
  if (x.shape[3] !== w.shape[3]) {
    throw new IRError(
      `input channels differ: x ${formatType(x)} has ${String(x.shape[3])}, w ${formatType(w)} expects ${String(w.shape[3])} (last axis of [kh,kw,F,C])`,
    );
  }
  return { rows: transposedAxis(h, kh, strides[0], padding), cols: transposedAxis(wd, kw, strides[1], padding) };
}

/**
 * The conv2d equivalent (given the filter flipped and [kh,kw,F,C] -> [kh,kw,C,F]):
 * per axis the input dilated by the stride, padded by k-1-crop before and by
 * whatever reaches the output size after (k-1 for valid, stride-1+crop for same).
 */
export function asDilatedConv2d(x: TensorType, w: TensorType, attrs: OpAttrs['conv2d_transpose']): { conv2d: Attrs; flip: { perm: number[]; axes: number[] } } {
  const { rows, cols } = transposeGeometry(x, w, attrs);
  const { strides } = attrs;
  const axes = [rows, cols];
  const pads = [0, 1].map((i) => {
    const k = w.shape[i] as number;
    const extent = ((x.shape[i + 1] as number) - 1) * strides[i] + 1;
    const before = k - 1 - axes[i].crop;
    return [before, axes[i].out + k - 1 - extent - before];
  });
  return {
    conv2d: { strides: [1, 1], dilations: [1, 1], padding: 'explicit', pads, input_dilations: strides },
    flip: { perm: [0, 1, 3, 2], axes: [0, 1] },
  };
}

defineOp({
  name: 'conv2d_transpose',
  doc: 'Keras Conv2DTranspose over NHWC with a [kh,kw,F,C] filter; valid: (in-1)*s+k, same: in*s.',
  attrs: {
    strides: { kind: 'ints', default: [1, 1], doc: 'upsampling step along height and width' },
    padding: { kind: 'string', default: 'valid', values: ['valid', 'same'] },
  },
  arity: 2,
  fusionAnchor: true,
  infer([x, w], attrs) {
    const { rows, cols } = transposeGeometry(x, w, attrs);
    return [{ dtype: 'f32', shape: [x.shape[0], rows.out, cols.out, w.shape[2]] }];
  },
  reference([x, w], attrs) {
    const { rows, cols } = transposeGeometry(x, w, attrs);
    const [batch, h, wd, c] = x.shape;
    const [kh, kw, f] = w.shape;
    const [strideH, strideW] = attrs.strides;
    const xs = x.data as Float32Array;
    const filter = w.data as Float32Array;
    const outH = rows.out;
    const outW = cols.out;
    // Each input pixel scatters a kh x kw patch; sums run in float64.
    const acc = new Float64Array(batch * outH * outW * f);
    for (let b = 0; b < batch; b++) {
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < wd; ix++) {
          const xBase = ((b * h + iy) * wd + ix) * c;
          for (let ky = 0; ky < kh; ky++) {
            const oy = iy * strideH + ky - rows.crop;
            if (oy < 0 || oy >= outH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ox = ix * strideW + kx - cols.crop;
              if (ox < 0 || ox >= outW) continue;
              const oBase = ((b * outH + oy) * outW + ox) * f;
              const wBase = (ky * kw + kx) * f * c;
              for (let fo = 0; fo < f; fo++) {
                const wRow = wBase + fo * c;
                let sum = 0;
                for (let ci = 0; ci < c; ci++) sum += xs[xBase + ci] * filter[wRow + ci];
                acc[oBase + fo] += sum;
              }
            }
          }
        }
      }
    }
    return [{ dtype: 'f32', shape: [batch, outH, outW, f], data: Float32Array.from(acc) }];
  },
});
