/**
 * Op family 'resize' (docs/OPS.md): image resizing over NHWC with
 * TensorFlow's `resize_nearest_neighbor` / `resize_bilinear` semantics.
 *
 *   %1 = resize_nearest(%x) {size=[8,10], align_corners=false, half_pixel_centers=false} : f32[N,8,10,3]
 *   %2 = resize_bilinear(%x) {size=[7,9], align_corners=false, half_pixel_centers=true} : f32[N,7,9,3]
 *
 * with %x: f32[N,4,5,3]. Per axis, with `align_corners` (and an output
 * longer than 1) the scale is (in-1)/(out-1), else in/out. The source
 * coordinate of output i is `scale*i`, or `scale*(i+0.5)` with
 * `half_pixel_centers` (minus 0.5 for bilinear). Nearest takes its floor
 * (rounds it, half up, with `align_corners`); bilinear blends the two
 * neighbouring rows/columns, clamped to the input.
 */
import type { AttrSchema } from '../ir/attrs.js';
import { IRError } from '../ir/errors.js';
import { defineOp } from '../ir/define_op.js';
import type { OpAttrs } from '../ir/op_types.js';
import type { Tensor } from '../ir/tensor.js';
import type { TensorType } from '../ir/types.js';
import { positiveInts, requireF32Rank, staticDim } from './conv/window.js';

const RESIZE_ATTRS: AttrSchema = {
  size: { kind: 'ints', doc: 'output height and width' },
  align_corners: { kind: 'bool', default: false },
  half_pixel_centers: { kind: 'bool', default: false },
};

type ResizeOp = 'resize_nearest' | 'resize_bilinear';
export type ResizeAttrs = OpAttrs[ResizeOp];

function resizeSize(x: TensorType, attrs: ResizeAttrs): number[] {
  requireF32Rank(x, 4, 'x', '[N,H,W,C]');
  const size = attrs.size;
  positiveInts(size, 2, 'size');
  if (attrs.align_corners && attrs.half_pixel_centers) {
    throw new IRError('align_corners and half_pixel_centers cannot both be true');
  }
  staticDim(x.shape, 1, 'input height');
  staticDim(x.shape, 2, 'input width');
  return [...size];
}

/** Input positions per output position along one axis. */
function axisScale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

export function nearestAxis(inSize: number, outSize: number, attrs: ResizeAttrs): Int32Array {
  const align = attrs.align_corners;
  const halfPixel = attrs.half_pixel_centers;
  const scale = axisScale(inSize, outSize, align);
  const src = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const pos = halfPixel ? scale * (i + 0.5) : scale * i;
    const nearest = align ? Math.round(pos) : Math.floor(pos);
    src[i] = Math.max(0, Math.min(inSize - 1, nearest));
  }
  return src;
}

export interface LinearAxis {
  lo: Int32Array;
  hi: Int32Array;
  /** Weight of `hi`. */
  frac: Float64Array;
}

export function linearAxis(inSize: number, outSize: number, attrs: ResizeAttrs): LinearAxis {
  const halfPixel = attrs.half_pixel_centers;
  const scale = axisScale(inSize, outSize, attrs.align_corners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    // Half-pixel positions before the first centre clamp to it (frac 0).
    const pos = Math.max(halfPixel ? scale * (i + 0.5) - 0.5 : scale * i, 0);
    const floor = Math.floor(pos);
    lo[i] = Math.min(floor, inSize - 1);
    hi[i] = Math.min(Math.ceil(pos), inSize - 1);
    frac[i] = pos - floor;
  }
  return { lo, hi, frac };
}

function resizeNearest(x: Tensor, size: number[], attrs: ResizeAttrs): Tensor {
  const [batch, h, w, c] = x.shape;
  const [oh, ow] = size;
  const rows = nearestAxis(h, oh, attrs);
  const cols = nearestAxis(w, ow, attrs);
  const xs = x.data as Float32Array;
  const out = new Float32Array(batch * oh * ow * c);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const base = ((b * h + rows[oy]) * w + cols[ox]) * c;
        for (let ci = 0; ci < c; ci++) out[o++] = xs[base + ci];
      }
    }
  }
  return { dtype: 'f32', shape: [batch, oh, ow, c], data: out };
}

function resizeBilinear(x: Tensor, size: number[], attrs: ResizeAttrs): Tensor {
  const [batch, h, w, c] = x.shape;
  const [oh, ow] = size;
  const rows = linearAxis(h, oh, attrs);
  const cols = linearAxis(w, ow, attrs);
  const xs = x.data as Float32Array;
  const out = new Float32Array(batch * oh * ow * c);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const top = (b * h + rows.lo[oy]) * w;
      const bottom = (b * h + rows.hi[oy]) * w;
      const fy = rows.frac[oy];
      for (let ox = 0; ox < ow; ox++) {
        const left = cols.lo[ox];
        const right = cols.hi[ox];
        const fx = cols.frac[ox];
        for (let ci = 0; ci < c; ci++) {
          const tl = xs[(top + left) * c + ci];
          const tr = xs[(top + right) * c + ci];
          const bl = xs[(bottom + left) * c + ci];
          const br = xs[(bottom + right) * c + ci];
          const t = tl + (tr - tl) * fx;
          const btm = bl + (br - bl) * fx;
          out[o++] = t + (btm - t) * fy;
        }
      }
    }
  }
  return { dtype: 'f32', shape: [batch, oh, ow, c], data: out };
}

function registerResize(name: ResizeOp, doc: string, run: (x: Tensor, size: number[], attrs: ResizeAttrs) => Tensor): void {
  defineOp({
    name,
    doc,
    attrs: RESIZE_ATTRS,
    arity: 1,
    infer([x], attrs) {
      const [oh, ow] = resizeSize(x, attrs);
      return [{ dtype: 'f32', shape: [x.shape[0], oh, ow, x.shape[3]] }];
    },
    reference([x], attrs) {
      return [run(x, resizeSize(x, attrs), attrs)];
    },
  });
}

registerResize('resize_nearest', 'NHWC nearest-neighbour resize to `size` with TF align_corners / half_pixel_centers.', resizeNearest);
registerResize('resize_bilinear', 'NHWC bilinear resize to `size` with TF align_corners / half_pixel_centers.', resizeBilinear);
