/**
 * reduce_sum / reduce_mean / reduce_max over trailing axes: each row of the
 * reduced elements is folded 4 lanes at a time into a vector accumulator,
 * the lanes past the row's end masked to the neutral element, then the four
 * lanes are combined. Other axis sets are not supported yet.
 */
import { attr } from '../../../compiler/ir/attrs.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { binaryen, type Expr } from '../binaryen.js';
import { VecBuilder } from '../vec.js';
import type { KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { chunks, horizontal, maskLanes, rowLoop } from './rows.js';

interface Reduction {
  neutral: number;
  combine: 'add' | 'max';
  mean: boolean;
}

const REDUCTIONS: Record<string, Reduction> = {
  reduce_sum: { neutral: 0, combine: 'add', mean: false },
  reduce_mean: { neutral: 0, combine: 'add', mean: true },
  reduce_max: { neutral: -Infinity, combine: 'max', mean: false },
};

/** Rows and the reduced length, when the reduced axes are trailing, static and non-empty. */
function splitAxes(node: Node): { lead: (number | 'N')[]; inner: number } | string {
  const shape = node.inputs[0].type.shape;
  const axes = [...new Set(attr.ints(node.attrs, 'axes').map((a) => normalizeAxis(a, shape.length)))].sort((a, b) => a - b);
  const first = shape.length - axes.length;
  if (axes.length === 0 || axes.some((a, i) => a !== first + i)) {
    return `the wasm target supports '${node.op}' over trailing axes only, got axes [${attr.ints(node.attrs, 'axes').join(',')}]`;
  }
  const reduced = shape.slice(first);
  if (reduced.includes('N')) return `the wasm target does not support '${node.op}' over the batch axis yet`;
  return { lead: shape.slice(0, first), inner: (reduced as number[]).reduce((p, d) => p * d, 1) };
}

export const reduceKernel: KernelEmitter = {
  unsupported(node) {
    if (!(node.op in REDUCTIONS)) return `the wasm target does not support op '${node.op}' yet`;
    if (node.inputs[0].type.dtype !== 'f32') return `the wasm target does not support op '${node.op}' on ${node.inputs[0].type.dtype} values yet`;
    const split = splitAxes(node);
    return typeof split === 'string' ? split : loopUnsupported(node.inputs[0].type.shape);
  },
  emit(ctx) {
    const { module: m, fn, node } = ctx;
    const reduction = REDUCTIONS[node.op];
    const split = splitAxes(node);
    if (typeof split === 'string') throw new Error(split);
    const { lead, inner } = split;
    const perItem = lead.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);
    const rows = lead.includes('N') ? m.i32.mul(ctx.batch(), m.i32.const(perItem)) : m.i32.const(perItem);
    const combine = (x: Expr, y: Expr): Expr => (reduction.combine === 'add' ? m.f32x4.add(x, y) : m.f32x4.max(x, y));
    if (inner === 0) return m.nop();
    const b = new VecBuilder(m, (t) => fn.local(t));
    const acc = fn.local(binaryen.v128);
    return rowLoop(fn, rows, [{ ptr: ctx.operand(0), stride: inner * 4 }, { ptr: ctx.result(0), stride: 4 }], ([src, dst]) => {
      const fold = chunks(fn, inner, 'fold', (offset, lanes) => {
        const x = maskLanes(b, m.v128.load(0, 4, m.i32.add(src(), offset())), lanes, reduction.neutral);
        return [fn.set(acc, combine(fn.get(acc), x))];
      });
      let total = horizontal(b, fn.get(acc), combine);
      if (reduction.mean) total = m.f32x4.div(total, b.f32(inner));
      const value = b.let(total);
      return [fn.set(acc, b.f32(reduction.neutral)), fold, ...b.drain(), m.f32.store(0, 4, dst(), m.f32x4.extract_lane(value(), 0))];
    });
  },
};
