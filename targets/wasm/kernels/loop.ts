/**
 * The loop nest of an elementwise kernel over shape S with NumPy
 * broadcasting. Axes of S of size 1 are dropped and neighbouring axes where
 * every operand is alike (all present, or all broadcast) are merged, so a
 * same-shape kernel is one flat loop and a bias over [N,H,W,C] is two. The
 * innermost axis runs 4 elements per step: an operand present along it is a
 * vector load, a broadcast one a splat; the last step of a row stores only
 * the lanes that remain. Outer axes recompute each operand's row address
 * from the loop indices. `N` may only be S's first axis.
 */
import type { DType, Shape } from '../../../compiler/ir/types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';
import { elementBytes, loadVec, storeRemaining } from '../memory.js';
import { VecBuilder } from '../vec.js';

export interface Stream {
  dtype: DType;
  shape: Shape;
  ptr: Getter;
}

interface Axis {
  size: number;
  batch: boolean;
  /** Per stream: present along this axis (else broadcast). */
  present: boolean[];
}

/** Why this kernel shape cannot be looped over, or null. */
export function loopUnsupported(shape: Shape): string | null {
  return shape.some((d, i) => d === 'N' && i > 0) ? `the batch dimension N must be the first axis, got [${shape.join(',')}]` : null;
}

function collapse(shape: Shape, streams: readonly Stream[]): Axis[] {
  const rank = shape.length;
  const axes: Axis[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const present = streams.map((s) => {
      const k = i - (rank - s.shape.length);
      return k >= 0 && s.shape[k] !== 1;
    });
    const last = axes[axes.length - 1];
    if (last && last.present.every((p, j) => p === present[j])) {
      if (d === 'N') last.batch = true;
      else last.size *= d;
    } else {
      axes.push({ size: d === 'N' ? 1 : d, batch: d === 'N', present });
    }
  });
  if (axes.length === 0) axes.push({ size: 1, batch: false, present: streams.map(() => false) });
  return axes;
}

/** Element strides of each stream along each collapsed axis (0 where broadcast). */
function strides(axes: readonly Axis[], streamCount: number): number[][] {
  return Array.from({ length: streamCount }, (_, s) => {
    const out = new Array<number>(axes.length).fill(0);
    let step = 1;
    for (let a = axes.length - 1; a >= 0; a--) {
      if (!axes[a].present[s]) continue;
      out[a] = step;
      step *= axes[a].size;
    }
    return out;
  });
}

/**
 * Emits the loop. `inputs` are read, `outputs` (shape S) written; `compute`
 * maps the input vectors to the output vectors through the builder.
 */
export function emitElementwiseLoop(
  fn: FunctionBuilder,
  batch: Getter,
  shape: Shape,
  inputs: readonly Stream[],
  outputs: readonly Stream[],
  compute: (b: VecBuilder, x: Getter[]) => Expr[],
): Expr {
  const m = fn.module;
  if (shape.some((d) => d === 0)) return m.nop();
  const streams = [...inputs, ...outputs.map((o) => ({ ...o, shape }))];
  const axes = collapse(shape, streams);
  const stride = strides(axes, streams.length);
  const inner = axes.length - 1;
  const length = (a: number): Expr =>
    axes[a].batch ? m.i32.mul(batch(), m.i32.const(axes[a].size)) : m.i32.const(axes[a].size);
  const index = axes.map(() => fn.local(binaryen.i32));
  const ptr = streams.map(() => fn.local(binaryen.i32));
  const remaining = fn.local(binaryen.i32);

  // Row start of every stream from the outer indices.
  const rowStarts = streams.map((s, k) => {
    let address = s.ptr();
    for (let a = 0; a < inner; a++) {
      const bytes = stride[k][a] * elementBytes(s.dtype);
      if (bytes !== 0) address = m.i32.add(address, m.i32.mul(fn.get(index[a]), m.i32.const(bytes)));
    }
    return fn.set(ptr[k], address);
  });

  const b = new VecBuilder(m, (t) => fn.local(t));
  const x = inputs.map((s, k) => b.let(loadVec(m, s.dtype, fn.get(ptr[k]), !axes[inner].present[k])));
  const results = compute(b, x).map((e) => b.let(e));
  const stores = outputs.map((o, j) => storeRemaining(m, o.dtype, fn.getter(ptr[inputs.length + j]), results[j], fn.getter(remaining)));
  const advance = streams.flatMap((s, k) =>
    axes[inner].present[k] ? [fn.set(ptr[k], m.i32.add(fn.get(ptr[k]), m.i32.const(4 * elementBytes(s.dtype))))] : [],
  );
  const innerLoop = m.block(null, [
    fn.set(remaining, length(inner)),
    m.loop(
      'inner',
      m.block(null, [
        ...b.drain(),
        ...stores,
        ...advance,
        fn.set(remaining, m.i32.sub(fn.get(remaining), m.i32.const(4))),
        m.br('inner', m.i32.gt_s(fn.get(remaining), m.i32.const(0))),
      ]),
    ),
  ]);

  let body = m.block(null, [...rowStarts, innerLoop]);
  for (let a = inner - 1; a >= 0; a--) {
    const label = `axis${a}`;
    body = m.block(null, [
      fn.set(index[a], m.i32.const(0)),
      m.loop(
        label,
        m.block(null, [
          body,
          fn.set(index[a], m.i32.add(fn.get(index[a]), m.i32.const(1))),
          m.br(label, m.i32.lt_s(fn.get(index[a]), length(a))),
        ]),
      ),
    ]);
  }
  return body;
}
