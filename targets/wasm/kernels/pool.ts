/**
 * max_pool2d / avg_pool2d over NHWC: for each output pixel the window is cut
 * to the input (rows y0..y1, columns x0..x1, computed at run time), and the
 * channels are folded 4 at a time over it. Max folds with f32x4.max, which
 * propagates NaN (docs/OPS.md: a NaN in a window gives NaN; padding is never
 * read); avg divides by the number of real elements in the window.
 */
import { poolGeometry } from '../../../compiler/ops/pool/geometry.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder } from '../func.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import type { KernelEmitter } from './context.js';
import { countedLoop, pixelLoop } from './pixels.js';
import { chunks } from './rows.js';

const REDUCERS: Record<string, 'max' | 'avg'> = { max_pool2d: 'max', avg_pool2d: 'avg' };

/** Sets `lo`/`hi` to the window's extent along one axis: [max(start, 0), min(start + k, size)). */
function clipRange(fn: FunctionBuilder, lo: number, hi: number, start: Expr, k: number, size: number): Expr[] {
  const m = fn.module;
  const end = (): Expr => m.i32.add(fn.get(lo), m.i32.const(k));
  return [
    fn.set(lo, start),
    fn.set(hi, m.select(m.i32.lt_s(end(), m.i32.const(size)), end(), m.i32.const(size))),
    fn.set(lo, m.select(m.i32.gt_s(fn.get(lo), m.i32.const(0)), fn.get(lo), m.i32.const(0))),
  ];
}

export const poolKernel: KernelEmitter = {
  unsupported(node) {
    if (!(node.op in REDUCERS)) return `the wasm target does not support op '${node.op}' yet`;
    if (node.inputs[0].type.shape.slice(1).includes('N')) return `the wasm target supports '${node.op}' with the batch N on the first axis only`;
    return null;
  },
  emit(ctx) {
    const { module: m, fn, node } = ctx;
    const reducer = REDUCERS[node.op];
    const win = poolGeometry(node.inputs[0].type, attrsOf(node, OP.max_pool2d, OP.avg_pool2d));
    const { h, w } = win;
    const c = node.inputs[0].type.shape[3] as number;
    const x = ctx.operand(0);
    const out = ctx.result(0);
    const [image, y0, y1, x0, x1, dst, count] = [0, 1, 2, 3, 4, 5, 6].map(() => fn.local(binaryen.i32));
    const acc = fn.local(binaryen.v128);
    const b = new VecBuilder(m, (t) => fn.local(t));

    const fold = (offset: () => Expr): Expr =>
      countedLoop(fn, fn.get(y0), fn.get(y1), (iy) => [
        countedLoop(fn, fn.get(x0), fn.get(x1), (ix) => {
          const pix = m.i32.add(fn.get(image), m.i32.mul(m.i32.add(m.i32.mul(iy(), m.i32.const(w)), ix()), m.i32.const(c * 4)));
          const v = b.let(m.v128.load(0, 4, m.i32.add(pix, offset())));
          const next = reducer === 'max' ? m.f32x4.max(fn.get(acc), v()) : m.f32x4.add(fn.get(acc), v());
          return [...b.drain(), fn.set(acc, next)];
        }),
      ]);

    const channelChunks = chunks(fn, c, 'channels', (offset, lanes) => {
      const folded = fold(offset);
      const total = reducer === 'max' ? fn.get(acc) : m.f32x4.div(fn.get(acc), m.f32x4.splat(m.f32.convert_s.i32(fn.get(count))));
      const value = b.let(total);
      const store = storeLanes(m, 'f32', () => m.i32.add(fn.get(dst), offset()), value, lanes);
      return [fn.set(acc, b.f32(reducer === 'max' ? -Infinity : 0)), folded, ...b.drain(), ...store];
    });

    return pixelLoop(fn, node.inputs[0].type.shape[0], ctx.batch, win.outH, win.outW, (p) => [
      fn.set(image, m.i32.add(x(), m.i32.mul(p.n(), m.i32.const(h * w * c * 4)))),
      ...clipRange(fn, y0, y1, m.i32.sub(m.i32.mul(p.oy(), m.i32.const(win.strideH)), m.i32.const(win.padTop)), win.kh, h),
      ...clipRange(fn, x0, x1, m.i32.sub(m.i32.mul(p.ox(), m.i32.const(win.strideW)), m.i32.const(win.padLeft)), win.kw, w),
      fn.set(count, m.i32.mul(m.i32.sub(fn.get(y1), fn.get(y0)), m.i32.sub(fn.get(x1), fn.get(x0)))),
      fn.set(dst, m.i32.add(out(), m.i32.mul(p.index(), m.i32.const(c * 4)))),
      channelChunks,
    ]);
  },
};
