/**
 * resize_nearest / resize_bilinear over NHWC. The source rows and columns of
 * every output row / column (and the bilinear weights) are the reference's
 * own per-axis tables (compiler/ops/resize.ts), computed at build time and
 * stored in the weights region as byte offsets into the image; each output
 * pixel then copies (nearest) or blends (bilinear) its channels 4 at a time.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { linearAxis, nearestAxis } from '../../../compiler/ops/resize.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { Getter } from '../func.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import type { EmitContext, KernelEmitter } from './context.js';
import { pixelLoop } from './pixels.js';
import { chunks } from './rows.js';

/** Per-axis tables laid out one after another: i32 byte offsets, f32 weights. */
function tableBytes(columns: (Int32Array | Float32Array)[]): Uint8Array {
  const out = new Uint8Array(columns.reduce((n, t) => n + t.length * 4, 0));
  let at = 0;
  for (const t of columns) {
    out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), at);
    at += t.byteLength;
  }
  return out;
}

const scaled = (indices: Int32Array, bytes: number): Int32Array => indices.map((i) => i * bytes);

interface Geometry {
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
}

function geometry(node: Node): Geometry {
  const [, h, w, c] = node.inputs[0].type.shape as number[];
  const [oh, ow] = attrsOf(node, OP.resize_nearest, OP.resize_bilinear).size;
  return { h, w, c, oh, ow };
}

/** Places the tables; returns a reader of entry `i` of table `t`, as i32 or f32. */
function placeTables(ctx: EmitContext, tables: (Int32Array | Float32Array)[]): (t: number, i: Getter, type: 'i32' | 'f32') => Expr {
  const m = ctx.module;
  const at = ctx.weights.place(`${ctx.prefix}:resize-tables`, () => tableBytes(tables));
  const starts = tables.map((_, t) => at + tables.slice(0, t).reduce((n, x) => n + x.byteLength, 0));
  return (t, i, type) => {
    const address = m.i32.add(m.i32.const(starts[t]), m.i32.shl(i(), m.i32.const(2)));
    return type === 'i32' ? m.i32.load(0, 4, address) : m.f32.load(0, 4, address);
  };
}

function emitNearest(ctx: EmitContext, g: Geometry): Expr {
  const { module: m, fn, node } = ctx;
  const rows = scaled(nearestAxis(g.h, g.oh, attrsOf(node, OP.resize_nearest)), g.w * g.c * 4);
  const cols = scaled(nearestAxis(g.w, g.ow, attrsOf(node, OP.resize_nearest)), g.c * 4);
  const read = placeTables(ctx, [rows, cols]);
  const [src, dst] = [0, 1].map(() => fn.local(binaryen.i32));
  const b = new VecBuilder(m, (t) => fn.local(t));
  const x = ctx.operand(0);
  const out = ctx.result(0);
  const copy = chunks(fn, g.c, 'channels', (offset, lanes) => {
    const v = b.let(m.v128.load(0, 4, m.i32.add(fn.get(src), offset())));
    return [...b.drain(), ...storeLanes(m, 'f32', () => m.i32.add(fn.get(dst), offset()), v, lanes)];
  });
  return pixelLoop(fn, ctx.node.inputs[0].type.shape[0], ctx.batch, g.oh, g.ow, (p) => [
    fn.set(src, m.i32.add(m.i32.add(x(), m.i32.mul(p.n(), m.i32.const(g.h * g.w * g.c * 4))), m.i32.add(read(0, p.oy, 'i32'), read(1, p.ox, 'i32')))),
    fn.set(dst, m.i32.add(out(), m.i32.mul(p.index(), m.i32.const(g.c * 4)))),
    copy,
  ]);
}

function emitBilinear(ctx: EmitContext, g: Geometry): Expr {
  const { module: m, fn, node } = ctx;
  const rows = linearAxis(g.h, g.oh, attrsOf(node, OP.resize_bilinear));
  const cols = linearAxis(g.w, g.ow, attrsOf(node, OP.resize_bilinear));
  const rowBytes = g.w * g.c * 4;
  const read = placeTables(ctx, [
    scaled(rows.lo, rowBytes), scaled(rows.hi, rowBytes), Float32Array.from(rows.frac),
    scaled(cols.lo, g.c * 4), scaled(cols.hi, g.c * 4), Float32Array.from(cols.frac),
  ]);
  const [image, top, bottom, left, right, dst] = [0, 1, 2, 3, 4, 5].map(() => fn.local(binaryen.i32));
  const [fy, fx] = [0, 1].map(() => fn.local(binaryen.v128));
  const b = new VecBuilder(m, (t) => fn.local(t));
  const x = ctx.operand(0);
  const out = ctx.result(0);
  const f = m.f32x4;
  const blend = chunks(fn, g.c, 'channels', (offset, lanes) => {
    const at = (row: number, col: number): Getter =>
      b.let(m.v128.load(0, 4, m.i32.add(m.i32.add(fn.get(row), fn.get(col)), offset())));
    const [tl, tr, bl, br] = [at(top, left), at(top, right), at(bottom, left), at(bottom, right)];
    const upper = b.let(f.add(tl(), f.mul(f.sub(tr(), tl()), fn.get(fx))));
    const lower = b.let(f.add(bl(), f.mul(f.sub(br(), bl()), fn.get(fx))));
    const v = b.let(f.add(upper(), f.mul(f.sub(lower(), upper()), fn.get(fy))));
    return [...b.drain(), ...storeLanes(m, 'f32', () => m.i32.add(fn.get(dst), offset()), v, lanes)];
  });
  return pixelLoop(fn, ctx.node.inputs[0].type.shape[0], ctx.batch, g.oh, g.ow, (p) => [
    fn.set(image, m.i32.add(x(), m.i32.mul(p.n(), m.i32.const(g.h * g.w * g.c * 4)))),
    fn.set(top, m.i32.add(fn.get(image), read(0, p.oy, 'i32'))),
    fn.set(bottom, m.i32.add(fn.get(image), read(1, p.oy, 'i32'))),
    fn.set(fy, f.splat(read(2, p.oy, 'f32'))),
    fn.set(left, read(3, p.ox, 'i32')),
    fn.set(right, read(4, p.ox, 'i32')),
    fn.set(fx, f.splat(read(5, p.ox, 'f32'))),
    fn.set(dst, m.i32.add(out(), m.i32.mul(p.index(), m.i32.const(g.c * 4)))),
    blend,
  ]);
}

export const resizeKernel: KernelEmitter = {
  unsupported(node) {
    if (node.op !== OP.resize_nearest && node.op !== OP.resize_bilinear) return `the wasm target does not support op '${node.op}' yet`;
    if (node.inputs[0].type.shape.slice(1).includes('N')) return `the wasm target supports '${node.op}' with the batch N on the first axis only`;
    return null;
  },
  emit(ctx) {
    const g = geometry(ctx.node);
    return ctx.node.op === OP.resize_nearest ? emitNearest(ctx, g) : emitBilinear(ctx, g);
  },
};
