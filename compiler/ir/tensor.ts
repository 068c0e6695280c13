/**
 * Concrete tensors: what the reference interpreter computes with and what a
 * model's inputs and outputs are. Data is row-major (C order).
 */
import type { DType } from './types.js';

export type TensorData = Float32Array | Int32Array | Uint8Array;

export interface Tensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocData(dtype: DType, size: number): TensorData {
  switch (dtype) {
    case 'f32':
      return new Float32Array(size);
    case 'i32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

export function zeros(dtype: DType, shape: readonly number[]): Tensor {
  return { dtype, shape: [...shape], data: allocData(dtype, sizeOf(shape)) };
}

export function tensor(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
  const size = sizeOf(shape);
  if (values.length !== size) {
    throw new RangeError(`tensor of shape [${shape.join(',')}] needs ${size} values, got ${values.length}`);
  }
  const data = allocData(dtype, size);
  for (let i = 0; i < size; i++) data[i] = values[i];
  return { dtype, shape: [...shape], data };
}

export function f32(shape: readonly number[], values: ArrayLike<number>): Tensor {
  return tensor('f32', shape, values);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}
