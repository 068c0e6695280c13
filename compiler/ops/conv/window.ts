/**
 * Shared checks and window geometry for the NHWC sliding-window ops
 * (convolutions and pooling): attribute validation, static spatial sizes and
 * TensorFlow's padding rule per spatial axis.
 */
import { IRError } from '../../ir/errors.js';
import type { Shape, TensorType } from '../../ir/types.js';
import { formatShape, formatType } from '../../ir/types.js';
import { windowPadding } from '../util.js';

/** Where a 2-D window sits on an input: everything a reference loop needs. */
export interface Window2D {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  /** Rows / columns of padding before the input (top / left). */
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

export const PADDING_2D = ['valid', 'same', 'explicit'] as const;

export function requireF32Rank(t: TensorType, rank: number, role: string, layout: string): void {
  if (t.dtype !== 'f32') throw new IRError(`${role} must be f32, got ${formatType(t)}`);
  if (t.shape.length !== rank) throw new IRError(`${role} must have rank ${rank} ${layout}, got ${formatType(t)}`);
}

/** The size of one axis, which must be a static number. */
export function staticDim(shape: Shape, axis: number, role: string): number {
  const d = shape[axis];
  if (typeof d !== 'number') {
    throw new IRError(`${role} must be a static size, got ${String(d)} in ${formatShape(shape)}`);
  }
  return d;
}

/** A list of `rank` integers that are all >= 1 (strides, dilations, pool sizes). */
export function positiveInts(values: readonly number[], rank: number, name: string): void {
  if (values.length !== rank || values.some((v) => v < 1)) {
    throw new IRError(`${name} must be ${rank} integer(s) >= 1, got [${values.join(',')}]`);
  }
}

/**
 * Explicit padding `[[top,bottom],[left,right]]`: non-negative, and only
 * meaningful with padding "explicit" (non-zero pads otherwise are a mistake).
 */
export function checkPads2d(pads: readonly (readonly number[])[], padding: string): void {
  const ok = pads.length === 2 && pads.every((p) => p.length === 2 && p.every((v) => v >= 0));
  if (!ok) throw new IRError(`pads must be [[top,bottom],[left,right]] of non-negative integers, got ${JSON.stringify(pads)}`);
  if (padding !== 'explicit' && pads.some((p) => p.some((v) => v !== 0))) {
    throw new IRError(`pads ${JSON.stringify(pads)} are only used with padding "explicit", not "${padding}"`);
  }
}

/** TF window padding for one axis, with the axis named in the error. */
export function axisWindow(
  axisName: string,
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: string,
  explicit?: readonly number[],
): { before: number; after: number; out: number } {
  try {
    return windowPadding(size, kernel, stride, dilation, padding, explicit);
  } catch (e) {
    if (e instanceof IRError) throw new IRError(`${axisName}: ${e.message}`);
    throw e;
  }
}

/** Window geometry over an input of `h` x `w` (padding: valid, same or explicit). */
export function window2d(
  h: number,
  w: number,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  padding: string,
  pads: readonly (readonly number[])[],
): Window2D {
  const rows = axisWindow('height', h, kernel[0], strides[0], dilations[0], padding, pads[0]);
  const cols = axisWindow('width', w, kernel[1], strides[1], dilations[1], padding, pads[1]);
  return {
    kh: kernel[0],
    kw: kernel[1],
    strideH: strides[0],
    strideW: strides[1],
    dilH: dilations[0],
    dilW: dilations[1],
    padTop: rows.before,
    padLeft: cols.before,
    outH: rows.out,
    outW: cols.out,
  };
}
