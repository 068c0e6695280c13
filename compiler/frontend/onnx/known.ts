/**
 * Conversions between build-time ONNX values (`Known`) and IR tensors.
 */
import type { Tensor } from '../../ir/tensor.js';
import type { Dim } from '../../ir/types.js';
import type { Known } from './model.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The IR tensor holding a known value: float → f32, int → i32, bool → bool. Throws when it has a symbolic size or leaves int32. */
export function knownToTensor(k: Known): Tensor {
  const shape = [...k.shape];
  switch (k.kind) {
    case 'float':
      return { dtype: 'f32', shape, data: k.data };
    case 'bool':
      return { dtype: 'bool', shape, data: k.data };
    case 'int': {
      const data = new Int32Array(k.data.length);
      k.data.forEach((d, i) => {
        if (d === 'N') throw new Error('a value computed from the batch size cannot be used as run-time data');
        // Clamped: int64 "to the end" sentinels and out-of-range indices keep their meaning for the ops that read them.
        data[i] = Math.min(INT32_MAX, Math.max(INT32_MIN, d));
      });
      return { dtype: 'i32', shape, data };
    }
  }
}

export function tensorToKnown(t: Tensor): Known {
  switch (t.dtype) {
    case 'f32':
      return { kind: 'float', shape: [...t.shape], data: t.data as Float32Array };
    case 'bool':
      return { kind: 'bool', shape: [...t.shape], data: t.data as Uint8Array };
    case 'i32':
      return { kind: 'int', shape: [...t.shape], data: Array.from(t.data as Int32Array) };
  }
}

/** The values of a known tensor as numbers (floats as they are, bools as 0/1); throws on a symbolic entry. */
export function knownNumbers(k: Known, what: string): number[] {
  if (k.kind !== 'int') return Array.from(k.data);
  return k.data.map((d) => {
    if (d === 'N') throw new Error(`${what} depends on the batch size, which is only known at run time`);
    return d;
  });
}

/** The values of a known int tensor, symbolic batch entries kept (for shape computations). */
export function knownDims(k: Known, what: string): Dim[] {
  if (k.kind !== 'int') throw new Error(`${what} must be an integer tensor, got ${k.kind}`);
  return [...k.data];
}
