/**
 * layer_norm over trailing axes, per row of the normalized elements in three
 * SIMD passes like the reference: the mean, the biased variance around it,
 * then (x - mean) / sqrt(var + epsilon) * gamma + beta. Normalizing over
 * axes that are not trailing is not supported yet.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import type { KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { chunks, horizontal, maskLanes, rowLoop } from './rows.js';

/** The axes before the normalized ones and the row length (elements normalized together), when the axes are trailing. */
function rowShape(node: Node): { lead: Dim[]; length: number } | string {
  const shape = node.inputs[0].type.shape;
  const axes = [...new Set(attrsOf(node, OP.layer_norm).axes.map((a) => normalizeAxis(a, shape.length)))].sort((a, b) => a - b);
  const first = shape.length - axes.length;
  if (axes.some((a, i) => a !== first + i)) return `the wasm target supports 'layer_norm' over trailing axes only, got axes [${axes.join(',')}]`;
  const why = loopUnsupported(shape);
  if (why) return `the wasm target cannot compile 'layer_norm': ${why}`;
  return { lead: shape.slice(0, first), length: shape.slice(first).reduce<number>((p, d) => p * (d as number), 1) };
}

export const layerNormKernel: KernelEmitter = {
  unsupported(node) {
    const row = rowShape(node);
    return typeof row === 'string' ? row : null;
  },
  emit(ctx) {
    const { fn, node } = ctx;
    const m = fn.module;
    const row = rowShape(node);
    if (typeof row === 'string') throw new Error(row);
    const { lead, length } = row;
    if (length === 0) return m.nop();
    const perItem = lead.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);
    const rows = lead.includes('N') ? m.i32.mul(ctx.batch(), m.i32.const(perItem)) : m.i32.const(perItem);
    const epsilon = attrsOf(node, OP.layer_norm).epsilon;
    const b = new VecBuilder(m, (t) => fn.local(t));
    const sum = fn.local(binaryen.v128);
    const mean = fn.local(binaryen.v128);
    const scale = fn.local(binaryen.v128);
    const gamma = ctx.operand(1);
    const beta = ctx.operand(2);
    const stride = length * 4;
    const f = m.f32x4;
    return rowLoop(fn, rows, [{ ptr: ctx.operand(0), stride }, { ptr: ctx.result(0), stride }], ([src, dst]) => {
      const load = (base: Expr, offset: () => Expr): Expr => m.v128.load(0, 4, m.i32.add(base, offset()));
      const sumPass = chunks(fn, length, 'sum', (offset, lanes) => [fn.set(sum, f.add(fn.get(sum), maskLanes(b, load(src(), offset), lanes, 0)))]);
      const rowMean = b.let(f.div(horizontal(b, fn.get(sum), (x, y) => f.add(x, y)), b.f32(length)));
      const meanStmts = b.drain();
      const varPass = chunks(fn, length, 'variance', (offset, lanes) => {
        const d = b.let(f.sub(load(src(), offset), fn.get(mean)));
        return [...b.drain(), fn.set(sum, f.add(fn.get(sum), maskLanes(b, f.mul(d(), d()), lanes, 0)))];
      });
      const variance = f.div(horizontal(b, fn.get(sum), (x, y) => f.add(x, y)), b.f32(length));
      const invStd = b.let(f.div(b.f32(1), f.sqrt(f.add(variance, b.f32(epsilon)))));
      const varStmts = b.drain();
      const outPass = chunks(fn, length, 'normalize', (offset, lanes) => {
        const normalized = f.mul(f.sub(load(src(), offset), fn.get(mean)), fn.get(scale));
        const value = b.let(f.add(f.mul(normalized, load(gamma(), offset)), load(beta(), offset)));
        return [...b.drain(), ...storeLanes(m, 'f32', () => m.i32.add(dst(), offset()), value, lanes)];
      });
      return [
        fn.set(sum, b.f32(0)),
        sumPass,
        ...meanStmts,
        fn.set(mean, rowMean()),
        fn.set(sum, b.f32(0)),
        varPass,
        ...varStmts,
        fn.set(scale, invStd()),
        outPass,
      ];
    });
  },
};
