/**
 * conv2d, conv1d and conv2d_transpose as one shape of computation for the
 * wasm target: a stride/dilation window sliding over an NHWC input that may
 * itself be dilated (zeros between input pixels), with a [kh*kw*C, F] filter
 * matrix, so all three become im2col + GEMM.
 * - conv1d is conv2d over a height of 1 (causal padding is explicit left padding).
 * - conv2d_transpose with stride s is a stride-1 conv2d over the input dilated
 *   by s, padded by k-1-crop before, with the filter flipped in space and its
 *   channel axes swapped ([kh,kw,F,C] -> [kh,kw,C,F]).
 */
import { attr } from '../../../compiler/ir/attrs.js';
import type { Node } from '../../../compiler/ir/graph.js';
import type { Tensor } from '../../../compiler/ir/tensor.js';
import { filterWindow } from '../../../compiler/ops/conv/filter-window.js';
import { axisWindow } from '../../../compiler/ops/conv/window.js';

export interface ConvGeometry {
  /** Input height, width and channels. */
  h: number;
  w: number;
  c: number;
  /** Filters (output channels). */
  f: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  /** Input dilation: the window sees input pixel i at position i * inDil. */
  inDilH: number;
  inDilW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/** Static sizes of x and w (the ops' own checks make all but the batch axis static; the batch reads as 0 here). */
function dims(node: Node): { x: number[]; w: number[] } {
  const [x, w] = node.inputs.map((v) => v.type.shape.map((d) => (typeof d === 'number' ? d : 0)));
  return { x, w };
}

/** The window geometry of a conv anchor node (conv2d, conv1d or conv2d_transpose). */
export function convGeometry(node: Node): ConvGeometry {
  const { x, w } = dims(node);
  const [xType, wType] = node.inputs.map((v) => v.type);
  if (node.op === 'conv2d') {
    const win = filterWindow(xType, wType, node.attrs, '[kh,kw,C,F]');
    return { ...win, h: x[1], w: x[2], c: x[3], f: w[3], inDilH: 1, inDilW: 1 };
  }
  if (node.op === 'conv1d') {
    const stride = attr.int(node.attrs, 'stride');
    const dilation = attr.int(node.attrs, 'dilation');
    const padding = attr.string(node.attrs, 'padding');
    const k = w[0];
    const axis =
      padding === 'causal'
        ? axisWindow('width', x[1], k, stride, dilation, 'explicit', [(k - 1) * dilation, 0])
        : axisWindow('width', x[1], k, stride, dilation, padding, attr.ints(node.attrs, 'pads'));
    return {
      h: 1, w: x[1], c: x[2], f: w[2], kh: 1, kw: k, strideH: 1, strideW: stride, dilH: 1, dilW: dilation,
      inDilH: 1, inDilW: 1, padTop: 0, padLeft: axis.before, outH: 1, outW: axis.out,
    };
  }
  if (node.op === 'conv2d_transpose') {
    const [strideH, strideW] = attr.ints(node.attrs, 'strides');
    const same = attr.string(node.attrs, 'padding') === 'same';
    const axis = (size: number, k: number, s: number): { out: number; pad: number } => {
      const crop = same ? Math.floor(Math.max(k - s, 0) / 2) : 0;
      return { out: same ? size * s : (size - 1) * s + k, pad: k - 1 - crop };
    };
    const rows = axis(x[1], w[0], strideH);
    const cols = axis(x[2], w[1], strideW);
    return {
      h: x[1], w: x[2], c: x[3], f: w[2], kh: w[0], kw: w[1], strideH: 1, strideW: 1, dilH: 1, dilW: 1,
      inDilH: strideH, inDilW: strideW, padTop: rows.pad, padLeft: cols.pad, outH: rows.out, outW: cols.out,
    };
  }
  throw new Error(`'${node.op}' is not a convolution the wasm target lowers to a GEMM`);
}

/** The filter as a row-major [kh*kw*C, F] matrix (row (ky*kw + kx)*C + c), as the im2col rows expect. */
export function filterMatrix(op: string, t: Tensor, g: ConvGeometry): Float32Array {
  const data = Float32Array.from(t.data);
  if (op !== 'conv2d_transpose') return data;
  const { kh, kw, c, f } = g;
  const out = new Float32Array(kh * kw * c * f);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      // Transposed tap (ky, kx) is the flipped tap of the original [kh,kw,F,C] filter.
      const src = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * f * c;
      const dst = (ky * kw + kx) * c * f;
      for (let fo = 0; fo < f; fo++) for (let ci = 0; ci < c; ci++) out[dst + ci * f + fo] = data[src + fo * c + ci];
    }
  }
  return out;
}

/** Whether the conv reads its input rows directly as GEMM rows (a 1x1, stride-1, unpadded conv2d/conv1d). */
export function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.inDilH === 1 && g.inDilW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.h && g.outW === g.w
  );
}
