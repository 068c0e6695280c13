/**
 * Strided loop nests for data-movement kernels: a list of axes (static
 * sizes, or `N`, the run's batch) and several pointers, each advancing by its
 * own byte stride per axis (0 where a pointer does not move along an axis,
 * negative to walk backwards). `collapseAxes` first merges neighbouring axes
 * along which every pointer moves contiguously, so a plain copy becomes a few
 * long rows.
 */
import type { Dim } from '../../../compiler/ir/types.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';

export interface NestAxis {
  size: number;
  /** The count is `size * batch` (the batch axis, possibly merged with later axes). */
  batch: boolean;
  /** Byte stride of each pointer along this axis. */
  strides: number[];
}

export function nestAxes(shape: readonly Dim[], strides: readonly (readonly number[])[]): NestAxis[] {
  return shape.map((d, i) => ({ size: d === 'N' ? 1 : d, batch: d === 'N', strides: strides.map((s) => s[i]) }));
}

/** Row-major element strides of `shape`, the batch axis counted as 1 (it must come first). */
export function denseStrides(shape: readonly Dim[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = step;
    const d = shape[i];
    step *= d === 'N' ? 1 : d;
  }
  return out;
}

/** Drops size-1 axes and merges axis a into a+1 when every stride satisfies s[a] = s[a+1] * size[a+1]. */
export function collapseAxes(axes: readonly NestAxis[]): NestAxis[] {
  const kept = axes.filter((a) => a.batch || a.size !== 1);
  const out: NestAxis[] = [];
  for (const axis of kept) {
    const last = out[out.length - 1];
    if (last && !axis.batch && last.strides.every((s, k) => s === axis.strides[k] * axis.size)) {
      out[out.length - 1] = { size: last.size * axis.size, batch: last.batch, strides: axis.strides };
    } else {
      out.push({ ...axis, strides: [...axis.strides] });
    }
  }
  return out;
}

/** The iteration count of an axis. */
export function axisCount(fn: FunctionBuilder, batch: Getter, axis: NestAxis): Expr {
  const m = fn.module;
  return axis.batch ? m.i32.mul(batch(), m.i32.const(axis.size)) : m.i32.const(axis.size);
}

/**
 * Runs `body` at every point of the nest with the pointers (byte addresses)
 * there; `starts` are the pointers at the origin. Empty axes run nothing.
 */
export function strideNest(fn: FunctionBuilder, batch: Getter, axes: readonly NestAxis[], starts: readonly Getter[], body: (ptrs: Getter[]) => Expr[]): Expr {
  const m = fn.module;
  if (axes.some((a) => !a.batch && a.size === 0)) return m.nop();
  // levels[l][k]: pointer k inside the loops of axes 0..l-1.
  const levels = axes.map(() => starts.map(() => fn.local(binaryen.i32)));
  const innermost = axes.length === 0 ? [...starts] : levels[axes.length - 1].map((p) => fn.getter(p));
  let inner = m.block(null, body(innermost));
  for (let l = axes.length - 1; l >= 0; l--) {
    const count = fn.local(binaryen.i32);
    // Loop labels must be unique in a function; the counter's local index is.
    const label = `nest${count}`;
    const outer = l === 0 ? starts : levels[l - 1].map((p) => fn.getter(p));
    const step = axes[l].strides.flatMap((s, k) => (s === 0 ? [] : [fn.set(levels[l][k], m.i32.add(fn.get(levels[l][k]), m.i32.const(s)))]));
    inner = m.block(null, [
      ...levels[l].map((p, k) => fn.set(p, outer[k]())),
      fn.set(count, axisCount(fn, batch, axes[l])),
      m.if(
        m.i32.gt_s(fn.get(count), m.i32.const(0)),
        m.loop(
          label,
          m.block(null, [
            inner,
            ...step,
            fn.set(count, m.i32.sub(fn.get(count), m.i32.const(1))),
            m.br(label, m.i32.gt_s(fn.get(count), m.i32.const(0))),
          ]),
        ),
      ),
    ]);
  }
  return inner;
}
