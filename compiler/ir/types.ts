/**
 * Tensor types of the IR: a dtype and a shape whose entries are sizes or the
 * one symbolic batch dimension `N`.
 */
export type DType = 'f32' | 'i32' | 'bool';
export const DTYPES: readonly DType[] = ['f32', 'i32', 'bool'];

/** A shape entry: a static size, or `N`, the batch size chosen at run time. */
export type Dim = number | 'N';
export type Shape = Dim[];

export interface TensorType {
  dtype: DType;
  shape: Shape;
}

export function tensorType(dtype: DType, shape: Shape): TensorType {
  return { dtype, shape: [...shape] };
}

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(',')}]`;
}

export function formatType(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => sameDim(d, b[i]));
}

export function sameType(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && sameShape(a.shape, b.shape);
}

/** True when the shape has no symbolic entry. */
export function isStatic(shape: Shape): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

/** Replaces `N` with a concrete batch size. */
export function resolveShape(shape: readonly Dim[], batch: number): number[] {
  return shape.map((d) => (d === 'N' ? batch : d));
}

/** Number of elements; `N` entries count as the given batch size. */
export function elementCount(shape: Shape, batch = 1): number {
  let n = 1;
  for (const d of shape) n *= d === 'N' ? batch : d;
  return n;
}

/** Normalizes a possibly negative axis against a rank; throws on out-of-range. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new RangeError(`axis ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

export function bytesPerElement(dtype: DType): number {
  return dtype === 'bool' ? 1 : 4;
}
