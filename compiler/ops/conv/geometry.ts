/**
 * The one convolution geometry: where a conv2d's filter window sits on its
 * input, read by the op's own shape inference and reference and by every
 * target's convolution kernel. conv1d and conv2d_transpose reach the targets
 * as conv2d (the `canonicalize-conv` pass), so this is all they need:
 * - the input may be dilated (`input_dilations`, zeros between its pixels:
 *   input pixel i sits at position i * inDil), the window slides over that
 *   dilated extent (h-1)*inDil+1 with its padding, strides and filter dilations;
 * - the filter is [kh,kw,C,F].
 */
import type { AttrSchema } from '../../ir/attrs.js';
import type { OpAttrs } from '../../ir/op_types.js';
import type { TensorType } from '../../ir/types.js';
import { FILTER_WINDOW_ATTRS, filterWindow } from './filter-window.js';
import { positiveInts, type Window2D } from './window.js';

export const CONV2D_ATTRS: AttrSchema = {
  ...FILTER_WINDOW_ATTRS,
  input_dilations: {
    kind: 'ints',
    default: [1, 1],
    doc: 'input pixel spacing along height and width (zeros between pixels; conv2d_transpose becomes this)',
  },
};

export interface ConvGeometry extends Window2D {
  /** Input height, width and channels (before input dilation). */
  h: number;
  w: number;
  c: number;
  /** Filters (output channels). */
  f: number;
  /** Input dilation: the window sees input pixel i at position i * inDil. */
  inDilH: number;
  inDilW: number;
}

/** Validates a conv2d's operands and attributes and returns its geometry (every size but the batch is static). */
export function convGeometry(x: TensorType, w: TensorType, attrs: OpAttrs['conv2d']): ConvGeometry {
  const inputDilations = attrs.input_dilations;
  positiveInts(inputDilations, 2, 'input_dilations');
  const [inDilH, inDilW] = inputDilations;
  const win = filterWindow(x, w, attrs, '[kh,kw,C,F]', inputDilations);
  const [, h, wd, c] = x.shape as number[];
  return { ...win, h, w: wd, c, f: w.shape[3] as number, inDilH, inDilW };
}

/** Whether the conv reads its input rows directly as GEMM rows (1x1, stride 1, no padding or dilation). */
export function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.inDilH === 1 && g.inDilW === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outH === g.h && g.outW === g.w
  );
}
