/**
 * Loops for row-wise kernels (reductions, softmax): rows of a static length
 * processed 4 elements at a time, with a final partial chunk, plus the lane
 * tricks they need (masking the lanes past a row's end, combining the four
 * lanes of a vector).
 */
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';
import type { VecBuilder } from '../vec.js';

/** Runs `body` for each of `rows` rows; each pointer advances by its stride (bytes) per row. */
export function rowLoop(fn: FunctionBuilder, rows: Expr, starts: { ptr: Getter; stride: number }[], body: (row: Getter[]) => Expr[]): Expr {
  const m = fn.module;
  const ptrs = starts.map(() => fn.local(binaryen.i32));
  const left = fn.local(binaryen.i32);
  return m.block(null, [
    ...starts.map((s, i) => fn.set(ptrs[i], s.ptr())),
    fn.set(left, rows),
    m.loop(
      'rows',
      m.block(null, [
        ...body(ptrs.map((p) => fn.getter(p))),
        ...starts.map((s, i) => fn.set(ptrs[i], m.i32.add(fn.get(ptrs[i]), m.i32.const(s.stride)))),
        fn.set(left, m.i32.sub(fn.get(left), m.i32.const(1))),
        m.br('rows', m.i32.gt_s(fn.get(left), m.i32.const(0))),
      ]),
    ),
  ]);
}

/**
 * Walks a row of `length` f32 elements in chunks of 4: `body(offset, lanes)`
 * gets the chunk's byte offset and how many lanes are real (4, or fewer for
 * the last chunk). Full chunks run in a loop; the partial one follows it.
 */
export function chunks(fn: FunctionBuilder, length: number, label: string, body: (offset: Getter, lanes: number) => Expr[]): Expr {
  const m = fn.module;
  const full = Math.floor(length / 4);
  const tail = length % 4;
  const parts: Expr[] = [];
  if (full > 0) {
    const offset = fn.local(binaryen.i32);
    parts.push(
      fn.set(offset, m.i32.const(0)),
      m.loop(
        label,
        m.block(null, [
          ...body(fn.getter(offset), 4),
          fn.set(offset, m.i32.add(fn.get(offset), m.i32.const(16))),
          m.br(label, m.i32.lt_s(fn.get(offset), m.i32.const(full * 16))),
        ]),
      ),
    );
  }
  if (tail > 0) parts.push(...body(() => m.i32.const(full * 16), tail));
  return m.block(null, parts);
}

/** `value` where the lane is below `lanes`, `fill` in the lanes past a row's end. */
export function maskLanes(b: VecBuilder, value: Expr, lanes: number, fill: number): Expr {
  if (lanes >= 4) return value;
  const mask = new Int32Array(4).map((_, i) => (i < lanes ? -1 : 0));
  const maskExpr = b.m.v128.const(Array.from(new Uint8Array(mask.buffer)));
  return b.select(maskExpr, value, b.f32(fill));
}

/** Combines the four lanes of `v` with `op`; the result is in every lane. */
export function horizontal(b: VecBuilder, v: Expr, op: (x: Expr, y: Expr) => Expr): Expr {
  const m = b.m;
  const swapHalves = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
  const swapPairs = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];
  const v0 = b.let(v);
  const v1 = b.let(op(v0(), m.i8x16.shuffle(v0(), v0(), swapHalves)));
  return op(v1(), m.i8x16.shuffle(v1(), v1(), swapPairs));
}
