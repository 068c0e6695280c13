/**
 * Operand and attribute checks shared by the filtered 2-D convolutions
 * (`conv2d`, `depthwise_conv2d`): x [N,H,W,C], w [kh,kw,C,*], static spatial
 * sizes, and the window geometry their attributes describe.
 */
import type { AttrSchema } from '../../ir/attrs.js';
import { IRError } from '../../ir/errors.js';
import type { OpAttrs } from '../../ir/op_types.js';
import type { TensorType } from '../../ir/types.js';
import { formatType } from '../../ir/types.js';
import { checkPads2d, PADDING_2D, positiveInts, requireF32Rank, staticDim, window2d, type Window2D } from './window.js';

export const FILTER_WINDOW_ATTRS: AttrSchema = {
  strides: { kind: 'ints', default: [1, 1], doc: 'step along height and width' },
  dilations: { kind: 'ints', default: [1, 1], doc: 'filter tap spacing along height and width' },
  padding: { kind: 'string', default: 'valid', values: PADDING_2D },
  pads: { kind: 'intss', default: [[0, 0], [0, 0]], doc: '[[top,bottom],[left,right]] for padding "explicit"' },
};

/** The attributes `FILTER_WINDOW_ATTRS` describes (conv2d's are a superset). */
export type FilterWindowAttrs = OpAttrs['depthwise_conv2d'];

/**
 * Validates x, w and the attributes; returns the window the filter slides over
 * x, dilated by `inputDilations` (zeros between pixels, conv2d only).
 */
export function filterWindow(
  x: TensorType,
  w: TensorType,
  attrs: FilterWindowAttrs,
  filterLayout: string,
  inputDilations: readonly number[] = [1, 1],
): Window2D {
  requireF32Rank(x, 4, 'x', '[N,H,W,C]');
  requireF32Rank(w, 4, 'w', filterLayout);
  const { strides, dilations, padding, pads } = attrs;
  positiveInts(strides, 2, 'strides');
  positiveInts(dilations, 2, 'dilations');
  checkPads2d(pads, padding);
  const h = staticDim(x.shape, 1, 'input height');
  const wd = staticDim(x.shape, 2, 'input width');
  staticDim(x.shape, 3, 'input channels');
  const kernel = [staticDim(w.shape, 0, 'kernel height'), staticDim(w.shape, 1, 'kernel width')];
  staticDim(w.shape, 3, `last filter axis of ${filterLayout}`);
  if (x.shape[3] !== w.shape[2]) {
    throw new IRError(
      `input channels differ: x ${formatType(x)} has ${String(x.shape[3])}, w ${formatType(w)} expects ${String(w.shape[2])}`,
    );
  }
  const extent = (size: number, inDil: number): number => (size - 1) * inDil + 1;
  return window2d(extent(h, inputDilations[0]), extent(wd, inputDilations[1]), kernel, strides, dilations, padding, pads);
}
