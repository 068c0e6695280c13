/**
 * The two primitives of the data-movement kernels: copying a strided box of
 * elements from one tensor to another (transpose, slice, reverse, tile,
 * broadcast_to, concat, pad's interior all reduce to one or a few such
 * copies), and filling a buffer with one value. Rows that are contiguous on
 * both sides become one `memory.copy`; the rest moves element by element.
 */
import type { Dim, DType } from '../../../compiler/ir/types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';
import { elementBytes } from '../memory.js';
import { axisCount, collapseAxes, nestAxes, strideNest } from './nest.js';

/** Where a copy reads or writes: an element offset and one element stride per axis of the box. */
export interface Side {
  offset: number;
  strides: number[];
}

export interface CopyPlan {
  /** The box being copied (`N` only first). */
  shape: Dim[];
  src: Side;
  dst: Side;
}

function offsetPtr(fn: FunctionBuilder, ptr: Getter, bytes: number): Getter {
  const m = fn.module;
  return bytes === 0 ? ptr : () => m.i32.add(ptr(), m.i32.const(bytes));
}

function loadElement(fn: FunctionBuilder, bytes: number, ptr: Expr): Expr {
  return bytes === 1 ? fn.module.i32.load8_u(0, 1, ptr) : fn.module.i32.load(0, 4, ptr);
}

function storeElement(fn: FunctionBuilder, bytes: number, ptr: Expr, value: Expr): Expr {
  return bytes === 1 ? fn.module.i32.store8(0, 1, ptr, value) : fn.module.i32.store(0, 4, ptr, value);
}

/** Copies the box of `plan` from `src` to `dst` (tensors of `dtype`). */
export function emitCopy(fn: FunctionBuilder, batch: Getter, dtype: DType, src: Getter, dst: Getter, plan: CopyPlan): Expr {
  const m = fn.module;
  const eb = elementBytes(dtype);
  const bytes = (side: Side): number[] => side.strides.map((s) => s * eb);
  const axes = collapseAxes(nestAxes(plan.shape, [bytes(plan.src), bytes(plan.dst)]));
  const starts = [offsetPtr(fn, src, plan.src.offset * eb), offsetPtr(fn, dst, plan.dst.offset * eb)];
  const last = axes[axes.length - 1];
  if (last && last.strides[0] === eb && last.strides[1] === eb) {
    const row = fn.local(binaryen.i32);
    const setRow = fn.set(row, m.i32.mul(axisCount(fn, batch, last), m.i32.const(eb)));
    const copy = strideNest(fn, batch, axes.slice(0, -1), starts, ([s, d]) => [m.memory.copy(d(), s(), fn.get(row))]);
    return m.block(null, [setRow, copy]);
  }
  return strideNest(fn, batch, axes, starts, ([s, d]) => [storeElement(fn, eb, d(), loadElement(fn, eb, s()))]);
}

/** The bit pattern of `value` as an element of `dtype` (an i32, or a byte for bool). */
function elementBits(value: number, dtype: DType): number {
  if (dtype === 'bool') return value !== 0 ? 1 : 0;
  if (dtype === 'i32') return value | 0;
  return new Int32Array(new Float32Array([value]).buffer)[0];
}

/** Fills `count` elements (`shape`'s size, `N` only first) at `dst` with `value`. */
export function emitFill(fn: FunctionBuilder, batch: Getter, dtype: DType, dst: Getter, shape: readonly Dim[], value: number): Expr {
  const m = fn.module;
  const eb = elementBytes(dtype);
  const bits = elementBits(value, dtype);
  const size = shape.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);
  const axis = { size, batch: shape.includes('N'), strides: [eb] };
  if (eb === 1 || bits === 0) {
    return m.memory.fill(dst(), m.i32.const(bits & 0xff), m.i32.mul(axisCount(fn, batch, axis), m.i32.const(eb)));
  }
  return strideNest(fn, batch, [axis], [dst], ([d]) => [storeElement(fn, eb, d(), m.i32.const(bits))]);
}
