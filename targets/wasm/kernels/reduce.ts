/**
 * reduce_sum / reduce_mean / reduce_max / reduce_min / reduce_prod over any set of axes that is
 * contiguous once size-1 axes are dropped: the input is seen as
 * [rows, reduced, inner] (rows may hold the batch N). With nothing after the
 * reduced axes (inner = 1) each row of reduced elements is folded 4 lanes at
 * a time into a vector accumulator, the lanes past the row's end masked to
 * the neutral element, then the four lanes are combined. With inner axes
 * (global pooling over H and W of NHWC) the inner elements are the vector
 * lanes, each accumulating its column over the reduced positions.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import type { KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { countedLoop } from './pixels.js';
import { chunks, horizontal, maskLanes, rowLoop } from './rows.js';

interface Reduction {
  neutral: number;
  combine: 'add' | 'max' | 'min' | 'mul';
  mean: boolean;
}

const REDUCTIONS: Record<string, Reduction> = {
  reduce_sum: { neutral: 0, combine: 'add', mean: false },
  reduce_mean: { neutral: 0, combine: 'add', mean: true },
  reduce_max: { neutral: -Infinity, combine: 'max', mean: false },
  reduce_min: { neutral: Infinity, combine: 'min', mean: false },
  reduce_prod: { neutral: 1, combine: 'mul', mean: false },
};

interface Split {
  /** Axes before the reduced ones (may hold N). */
  lead: (number | 'N')[];
  /** Elements reduced into each result element. */
  reduced: number;
  /** Elements after the reduced axes: consecutive results of one row. */
  inner: number;
}

function reducedAxes(node: Node): readonly number[] {
  return attrsOf(node, OP.reduce_sum, OP.reduce_mean, OP.reduce_max, OP.reduce_min, OP.reduce_prod).axes;
}

/** The [rows, reduced, inner] view of the input, when the reduced axes are contiguous (ignoring size-1 axes) and static. */
function splitAxes(node: Node): Split | string {
  const shape = node.inputs[0].type.shape;
  const axes = new Set(reducedAxes(node).map((a) => normalizeAxis(a, shape.length)));
  const real = [...axes].filter((a) => shape[a] !== 1).sort((a, b) => a - b);
  if (real.some((a) => shape[a] === 'N')) return `the wasm target does not support '${node.op}' over the batch axis yet`;
  if (real.length === 0) return { lead: shape.filter((d) => d !== 1), reduced: 1, inner: 1 };
  const first = real[0];
  const last = real[real.length - 1];
  const gap = shape.slice(first, last + 1).some((d, i) => d !== 1 && !axes.has(first + i));
  if (gap) {
    return `the wasm target supports '${node.op}' over contiguous axes only, got axes [${reducedAxes(node).join(',')}] of [${shape.join(',')}]`;
  }
  const product = (dims: (number | 'N')[]): number => dims.reduce<number>((p, d) => p * (d as number), 1);
  const after = shape.slice(last + 1);
  if (after.includes('N')) return `the wasm target supports '${node.op}' with the batch N on the first axis only`;
  return { lead: shape.slice(0, first), reduced: product(shape.slice(first, last + 1)), inner: product(after) };
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
    const { lead, reduced, inner } = split;
    const perItem = lead.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);
    const rows = lead.includes('N') ? m.i32.mul(ctx.batch(), m.i32.const(perItem)) : m.i32.const(perItem);
    const combine = (x: Expr, y: Expr): Expr => m.f32x4[reduction.combine](x, y);
    if (reduced === 0 || inner === 0) return m.nop();
    const b = new VecBuilder(m, (t) => fn.local(t));
    const acc = fn.local(binaryen.v128);
    const finish = (total: Expr): Expr => (reduction.mean ? m.f32x4.div(total, b.f32(reduced)) : total);
    const starts = [{ ptr: ctx.operand(0), stride: reduced * inner * 4 }, { ptr: ctx.result(0), stride: inner * 4 }];
    if (inner > 1) {
      const step = fn.local(binaryen.i32);
      return rowLoop(fn, rows, starts, ([src, dst]) => [
        chunks(fn, inner, 'columns', (offset, lanes) => {
          const fold = countedLoop(fn, m.i32.const(0), m.i32.const(reduced), (r) => [
            fn.set(step, m.i32.add(m.i32.add(src(), offset()), m.i32.mul(r(), m.i32.const(inner * 4)))),
            fn.set(acc, combine(fn.get(acc), m.v128.load(0, 4, fn.get(step)))),
          ]);
          const value = b.let(finish(fn.get(acc)));
          return [fn.set(acc, b.f32(reduction.neutral)), fold, ...b.drain(), ...storeLanes(m, 'f32', () => m.i32.add(dst(), offset()), value, lanes)];
        }),
      ]);
    }
    return rowLoop(fn, rows, starts, ([src, dst]) => {
      const fold = chunks(fn, reduced, 'fold', (offset, lanes) => {
        const x = maskLanes(b, m.v128.load(0, 4, m.i32.add(src(), offset())), lanes, reduction.neutral);
        return [fn.set(acc, combine(fn.get(acc), x))];
      });
      const value = b.let(finish(horizontal(b, fn.get(acc), combine)));
      return [fn.set(acc, b.f32(reduction.neutral)), fold, ...b.drain(), m.f32.store(0, 4, dst(), m.f32x4.extract_lane(value(), 0))];
    });
  },
};
