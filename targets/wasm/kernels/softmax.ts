/**
 * softmax / log_softmax over the last axis, per row in three passes like the
 * reference: the row maximum; e^(x - max) and its sum (softmax stores the
 * exponentials as it goes); then softmax divides by the sum and log_softmax
 * writes (x - max) - log(sum). Other axes are not supported yet.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import * as math from '../math.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import type { KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { chunks, horizontal, maskLanes, rowLoop } from './rows.js';

function lastAxisLength(node: Node): number | string {
  const shape = node.inputs[0].type.shape;
  const axis = normalizeAxis(attrsOf(node, OP.softmax, OP.log_softmax).axis, shape.length);
  const length = shape[shape.length - 1];
  if (axis !== shape.length - 1) return `the wasm target supports '${node.op}' over the last axis only, got axis ${attrsOf(node, OP.softmax, OP.log_softmax).axis}`;
  if (length === 'N') return `the wasm target does not support '${node.op}' over the batch axis yet`;
  return length;
}

export const softmaxKernel: KernelEmitter = {
  unsupported(node) {
    if (node.inputs[0].type.dtype !== 'f32') return `the wasm target does not support op '${node.op}' on ${node.inputs[0].type.dtype} values yet`;
    const length = lastAxisLength(node);
    return typeof length === 'string' ? length : loopUnsupported(node.inputs[0].type.shape);
  },
  emit(ctx) {
    const { module: m, fn, node } = ctx;
    const logForm = node.op === OP.log_softmax;
    const length = lastAxisLength(node);
    if (typeof length === 'string') throw new Error(length);
    if (length === 0) return m.nop();
    const lead = node.inputs[0].type.shape.slice(0, -1);
    const perItem = lead.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);
    const rows = lead.includes('N') ? m.i32.mul(ctx.batch(), m.i32.const(perItem)) : m.i32.const(perItem);
    const b = new VecBuilder(m, (t) => fn.local(t));
    const max = fn.local(binaryen.v128);
    const sum = fn.local(binaryen.v128);
    const stride = length * 4;
    return rowLoop(fn, rows, [{ ptr: ctx.operand(0), stride }, { ptr: ctx.result(0), stride }], ([src, dst]) => {
      const load = (offset: () => Expr): Expr => m.v128.load(0, 4, m.i32.add(src(), offset()));
      const maxPass = chunks(fn, length, 'max', (offset, lanes) => [
        fn.set(max, m.f32x4.max(fn.get(max), maskLanes(b, load(offset), lanes, -Infinity))),
      ]);
      const rowMax = b.let(horizontal(b, fn.get(max), (x, y) => m.f32x4.max(x, y)));
      const reduceMax = b.drain();
      const sumPass = chunks(fn, length, 'sum', (offset, lanes) => {
        const e = b.let(math.exp(b, () => m.f32x4.sub(load(offset), fn.get(max))));
        const stores = logForm ? [] : storeLanes(m, 'f32', () => m.i32.add(dst(), offset()), e, lanes);
        return [...b.drain(), ...stores, fn.set(sum, m.f32x4.add(fn.get(sum), maskLanes(b, e(), lanes, 0)))];
      });
      const rowSum = b.let(horizontal(b, fn.get(sum), (x, y) => m.f32x4.add(x, y)));
      const logSum = logForm ? b.let(math.log(b, rowSum)) : undefined;
      const reduceSum = b.drain();
      const finalPass = chunks(fn, length, 'scale', (offset, lanes) => {
        const out = (): Expr => m.i32.add(dst(), offset());
        const value = logSum
          ? b.let(m.f32x4.sub(m.f32x4.sub(load(offset), fn.get(max)), logSum()))
          : b.let(m.f32x4.div(m.v128.load(0, 4, out()), fn.get(sum)));
        return [...b.drain(), ...storeLanes(m, 'f32', out, value, lanes)];
      });
      return [
        fn.set(max, b.f32(-Infinity)),
        maxPass,
        ...reduceMax,
        fn.set(max, rowMax()),
        fn.set(sum, b.f32(0)),
        sumPass,
        ...reduceSum,
        fn.set(sum, rowSum()),
        finalPass,
      ];
    });
  },
};
