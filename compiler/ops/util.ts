/** Shape helpers shared by op definitions. */
import { IRError } from '../ir/errors.js';
import type { Dim, Shape } from '../ir/types.js';
import { formatShape } from '../ir/types.js';

/** NumPy broadcasting of two shapes; `N` broadcasts with 1 and with itself. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new IRError(`shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
  }
  return out;
}

/** Concrete NumPy broadcasting of static shapes. */
export function broadcastStatic(a: readonly number[], b: readonly number[]): number[] {
  return broadcastShapes([...a], [...b]) as number[];
}

/**
 * Maps each flat index of `outShape` to the flat index of an operand of shape
 * `inShape` broadcast to it (NumPy rules: leading axes added, size-1 axes repeat).
 */
export function broadcastIndexMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const offset = rank - inShape.length;
  const inStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    inStrides[i + offset] = inShape[i] === 1 ? 0 : s;
    s *= inShape[i];
  }
  let total = 1;
  for (const d of outShape) total *= d;
  const map = new Int32Array(total);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let flat = 0; flat < total; flat++) {
    map[flat] = src;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      src += inStrides[ax];
      if (idx[ax] < outShape[ax]) break;
      src -= inStrides[ax] * idx[ax];
      idx[ax] = 0;
    }
  }
  return map;
}

/**
 * TensorFlow's window padding for one spatial axis. `same`: out = ceil(in / stride),
 * total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0), before = floor(total / 2).
 * `valid`: no padding. `explicit`: the given [before, after].
 */
export function windowPadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: string,
  explicit?: readonly number[],
): { before: number; after: number; out: number } {
  const effective = (kernel - 1) * dilation + 1;
  let before = 0;
  let after = 0;
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effective - size, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (padding === 'explicit') {
    before = explicit?.[0] ?? 0;
    after = explicit?.[1] ?? 0;
  }
  const out = Math.floor((size + before + after - effective) / stride) + 1;
  if (out < 1) {
    throw new IRError(`window of ${effective} (kernel ${kernel}, dilation ${dilation}) does not fit an axis of ${size} with padding ${before}+${after}`);
  }
  return { before, after, out };
}
