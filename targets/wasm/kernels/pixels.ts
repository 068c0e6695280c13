/**
 * Loops for NHWC window kernels (depthwise convolution, pooling, resizing):
 * every output pixel (n, oy, ox) in order, each a row of channels that the
 * kernel walks 4 at a time (rows.ts `chunks`). Counted loops test their bound
 * first, so a batch of 0 runs nothing.
 */
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';

/** for (i = from; i < to; i++) body(i). Labels are unique per function (named after the counter local). */
export function countedLoop(fn: FunctionBuilder, from: Expr, to: Expr, body: (i: Getter) => Expr[]): Expr {
  const m = fn.module;
  const i = fn.local(binaryen.i32);
  const end = fn.local(binaryen.i32);
  const exit = `exit${i}`;
  const next = `next${i}`;
  return m.block(exit, [
    fn.set(i, from),
    fn.set(end, to),
    m.loop(
      next,
      m.block(null, [
        m.br(exit, m.i32.ge_s(fn.get(i), fn.get(end))),
        ...body(fn.getter(i)),
        fn.set(i, m.i32.add(fn.get(i), m.i32.const(1))),
        m.br(next),
      ]),
    ),
  ]);
}

export interface Pixel {
  n: Getter;
  oy: Getter;
  ox: Getter;
  /** The pixel's index in the result, (n * outH + oy) * outW + ox. */
  index: Getter;
}

/** Runs `body` for every pixel of an [items, outH, outW, *] result; `items` is the batch N or a static size. */
export function pixelLoop(
  fn: FunctionBuilder,
  items: number | 'N',
  batch: Getter,
  outH: number,
  outW: number,
  body: (p: Pixel) => Expr[],
): Expr {
  const m = fn.module;
  const index = fn.local(binaryen.i32);
  return m.block(null, [
    fn.set(index, m.i32.const(0)),
    countedLoop(fn, m.i32.const(0), items === 'N' ? batch() : m.i32.const(items), (n) => [
      countedLoop(fn, m.i32.const(0), m.i32.const(outH), (oy) => [
        countedLoop(fn, m.i32.const(0), m.i32.const(outW), (ox) => [
          ...body({ n, oy, ox, index: fn.getter(index) }),
          fn.set(index, m.i32.add(fn.get(index), m.i32.const(1))),
        ]),
      ]),
    ]),
  ]);
}
