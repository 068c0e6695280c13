/**
 * argmax(x){axis} -> i32 along one axis, scalar: the input is seen as
 * [outer, len, inner]; for each (outer, inner) position the first index of
 * the maximum wins, and a NaN beats every number (the first NaN wins), like
 * the reference.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { strideNest, type NestAxis } from './nest.js';

const product = (dims: readonly Dim[]): number => dims.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);

function around(node: Node): { outer: Dim[]; len: number; inner: number } | string {
  const shape = node.inputs[0].type.shape;
  if (node.inputs[0].type.dtype !== 'f32') return "the wasm target supports 'argmax' on f32 values only";
  const why = loopUnsupported(shape);
  if (why) return `the wasm target cannot compile 'argmax': ${why}`;
  const axis = normalizeAxis(attrsOf(node, OP.argmax).axis, shape.length);
  const len = shape[axis];
  if (len === 'N') return "the wasm target does not support 'argmax' over the batch axis N";
  return { outer: shape.slice(0, axis), len, inner: product(shape.slice(axis + 1)) };
}

export const argmaxKernel: KernelEmitter = {
  unsupported(node) {
    const a = around(node);
    return typeof a === 'string' ? a : null;
  },
  emit(ctx) {
    const { fn, node } = ctx;
    const m = fn.module;
    const a = around(node);
    if (typeof a === 'string') throw new Error(a);
    if (a.len === 0) return m.nop();
    const axes: NestAxis[] = [
      { size: product(a.outer), batch: a.outer.includes('N'), strides: [a.len * a.inner * 4, a.inner * 4] },
      { size: a.inner, batch: false, strides: [4, 4] },
    ];
    const best = fn.local(binaryen.i32);
    const bestValue = fn.local(binaryen.f32);
    const k = fn.local(binaryen.i32);
    const value = fn.local(binaryen.f32);
    // value > best, or value is the first NaN: (value != value) && (best == best).
    const isNaN = (local: number): Expr => m.f32.ne(fn.get(local), fn.get(local));
    const beats = (): Expr => m.i32.or(m.f32.gt(fn.get(value), fn.get(bestValue)), m.i32.and(isNaN(value), m.i32.eqz(isNaN(bestValue))));
    return strideNest(fn, ctx.batch, axes, [ctx.operand(0), ctx.result(0)], ([src, dst]) => [
      fn.set(best, m.i32.const(0)),
      fn.set(k, m.i32.const(0)),
      fn.set(bestValue, m.f32.load(0, 4, src())),
      strideNest(fn, ctx.batch, [{ size: a.len - 1, batch: false, strides: [a.inner * 4] }], [() => m.i32.add(src(), m.i32.const(a.inner * 4))], ([p]) => [
        fn.set(k, m.i32.add(fn.get(k), m.i32.const(1))),
        fn.set(value, m.f32.load(0, 4, p())),
        m.if(beats(), m.block(null, [fn.set(best, fn.get(k)), fn.set(bestValue, fn.get(value))])),
      ]),
      m.i32.store(0, 4, dst(), fn.get(best)),
    ]);
  },
};
