/**
 * Helpers shared by the shape ops: walking multi-indices, building a tensor
 * element by element from a source index, and checking axis lists.
 */
import { IRError } from '../../ir/errors.js';
import { allocData, sizeOf, type Tensor } from '../../ir/tensor.js';
import type { DType, Dim, Shape } from '../../ir/types.js';
import { formatShape } from '../../ir/types.js';

/**
 * Calls `fn` for every multi-index of `shape` in row-major order together with
 * its flat position. The index array is reused between calls: copy it to keep it.
 */
export function forEachIndex(shape: readonly number[], fn: (idx: readonly number[], flat: number) => void): void {
  const total = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    fn(idx, flat);
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      if (++idx[ax] < shape[ax]) break;
      idx[ax] = 0;
    }
  }
}

/**
 * A tensor of `shape` whose element at each multi-index is `x`'s element at the
 * flat position `source(idx)`, or `fill` where `source` returns -1 (padding).
 */
export function remap(
  x: Tensor,
  shape: readonly number[],
  source: (idx: readonly number[]) => number,
  fill = 0,
): Tensor {
  const data = allocData(x.dtype, sizeOf(shape));
  forEachIndex(shape, (idx, flat) => {
    const src = source(idx);
    data[flat] = src < 0 ? fill : x.data[src];
  });
  return { dtype: x.dtype, shape: [...shape], data };
}

/** The same elements under a new shape (a copy, so no two values share storage). */
export function withShape(x: Tensor, shape: readonly number[]): Tensor {
  return { dtype: x.dtype, shape: [...shape], data: x.data.slice() };
}

/** Normalizes a possibly negative axis, with an IRError naming the shape when out of range. */
export function axisOf(axis: number, shape: readonly Dim[], what = 'axis'): number {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new IRError(`${what} ${axis} is out of range for ${formatShape([...shape])} (rank ${rank})`);
  return a;
}

/** Normalizes a list of axes; duplicates are an error. */
export function axesOf(axes: readonly number[], shape: readonly Dim[], what = 'axes'): number[] {
  const out = axes.map((a) => axisOf(a, shape, `${what} entry`));
  const seen = new Set<number>();
  for (const a of out) {
    if (seen.has(a)) throw new IRError(`${what} ${formatShape([...axes])} name axis ${a} twice`);
    seen.add(a);
  }
  return out;
}

/** Checks that a list attribute has one entry per axis. */
export function expectPerAxis(name: string, length: number, shape: Shape): void {
  if (length !== shape.length) {
    throw new IRError(`${name} has ${length} entries but the operand ${formatShape(shape)} has rank ${shape.length}`);
  }
}

/** Checks that a float attribute can be stored in a tensor of `dtype` (integers for i32). */
export function checkValueFits(value: number, dtype: DType, name: string): void {
  if (dtype === 'i32' && !Number.isInteger(value)) {
    throw new IRError(`${name} ${value} is not an integer, but the tensor is i32`);
  }
}

/** Stores a float attribute as an element of `dtype` (bool: nonzero is true). */
export function elementValue(value: number, dtype: DType): number {
  return dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
}
