/**
 * Vector loads and stores of tensor elements by dtype. f32 elements are
 * 4 bytes; bool elements are 1 byte in memory and a lane mask in registers.
 * Loads may read up to 3 elements past a tensor's end: every buffer of the
 * memory plan and every weight is padded (256 and 16 bytes), and the extra
 * lanes are never stored. Stores write exactly the lanes asked for.
 */
import type { DType } from '../../compiler/ir/types.js';
import { bytesPerElement } from '../../compiler/ir/types.js';
import type { Expr, Module } from './binaryen.js';
import type { Getter } from './func.js';

export function elementBytes(dtype: DType): number {
  return bytesPerElement(dtype);
}

const ZERO = new Array<number>(16).fill(0);

/** Bytes (one per lane in the low 4 bytes) to a mask: lane != 0. */
function bytesToMask(m: Module, bytes: Expr): Expr {
  return m.i32x4.ne(m.i32x4.extend_low_i16x8_u(m.i16x8.extend_low_i8x16_u(bytes)), m.v128.const(ZERO));
}

/** Four consecutive elements at `ptr`, or element `ptr` in every lane when `splat`. */
export function loadVec(m: Module, dtype: DType, ptr: Expr, splat: boolean): Expr {
  if (dtype === 'bool') return bytesToMask(m, splat ? m.v128.load8_splat(0, 1, ptr) : m.v128.load32_zero(0, 1, ptr));
  return splat ? m.v128.load32_splat(0, 4, ptr) : m.v128.load(0, 4, ptr);
}

/** A mask as 0/1 bytes in lanes 0..3 of the low 4 bytes. */
function maskToBytes(m: Module, mask: Expr): Expr {
  const ones = m.i32x4.splat(m.i32.const(1));
  const halves = m.i16x8.narrow_i32x4_u(m.v128.and(mask, ones), m.v128.const(ZERO));
  return m.i8x16.narrow_i16x8_u(halves, m.v128.const(ZERO));
}

/** Stores the first `lanes` lanes (1..4) of `value` at `ptr`. */
export function storeLanes(m: Module, dtype: DType, ptr: Getter, value: Getter, lanes: number): Expr[] {
  if (dtype === 'bool') {
    const bytes = (): Expr => maskToBytes(m, value());
    if (lanes === 4) return [m.v128.store32_lane(0, 1, 0, ptr(), bytes())];
  } else if (lanes === 4) {
    return [m.v128.store(0, 4, ptr(), value())];
  }
  return Array.from({ length: lanes }, (_, lane) => storeLane(m, dtype, ptr, value, lane));
}

/**
 * Stores `min(4, remaining)` lanes, where `remaining` (i32, >= 1) is only
 * known at run time: a full vector store, or lane by lane at the row's end.
 */
export function storeRemaining(m: Module, dtype: DType, ptr: Getter, value: Getter, remaining: Getter): Expr {
  const partial: Expr[] = [];
  for (let lane = 0; lane < 3; lane++) {
    partial.push(m.if(m.i32.gt_s(remaining(), m.i32.const(lane)), storeLane(m, dtype, ptr, value, lane)));
  }
  return m.if(m.i32.ge_s(remaining(), m.i32.const(4)), m.block(null, storeLanes(m, dtype, ptr, value, 4)), m.block(null, partial));
}

/** Stores lane `lane` alone, at its element's place. */
function storeLane(m: Module, dtype: DType, ptr: Getter, value: Getter, lane: number): Expr {
  if (dtype === 'bool') return m.v128.store8_lane(lane, 1, lane, ptr(), maskToBytes(m, value()));
  return m.f32.store(lane * 4, 4, ptr(), m.f32x4.extract_lane(value(), lane));
}
