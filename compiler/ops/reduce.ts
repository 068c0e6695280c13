/**
 * Reductions (see docs/OPS.md, "reduce.ts"): `reduce_sum/mean/max/min/prod`
 * over a list of axes, `argmax` over one axis, and `softmax` / `log_softmax`
 * along one axis. Reducing over the batch axis `N` is allowed.
 *
 *     %1 = reduce_mean(%0) {axes=[1,2], keepdims=false} : f32[N,8]
 *     %2 = argmax(%1) {axis=-1} : i32[N]
 *     %3 = softmax(%1) {axis=-1} : f32[N,8]
 */
import { IRError } from '../ir/errors.js';
import { defineOp } from '../ir/define_op.js';
import type { OpAttrs } from '../ir/op_types.js';
import { allocData, sizeOf, stridesOf, type Tensor } from '../ir/tensor.js';
import type { DType, Dim, Shape } from '../ir/types.js';
import { requireDType } from './elementwise/define.js';

/** Normalizes possibly negative axes against a rank; rejects out-of-range and repeated axes. */
export function normalizeAxes(axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) throw new IRError(`axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) throw new IRError(`axes [${axes.join(',')}] name an axis twice`);
  return out;
}

/**
 * For each flat index of a tensor of `shape`, the flat index of the same
 * element in the smaller tensor made of only the `keep` axes (in ascending
 * axis order). Reductions use it to find an element's output slot.
 */
export function projectIndexMap(shape: readonly number[], keep: ReadonlySet<number>): Int32Array {
  const strides = stridesOf(shape);
  const keptStride = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    if (!keep.has(ax)) continue;
    keptStride[ax] = s;
    s *= shape[ax];
  }
  const map = new Int32Array(sizeOf(shape));
  for (let flat = 0; flat < map.length; flat++) {
    let rest = flat;
    let target = 0;
    for (let ax = 0; ax < shape.length; ax++) {
      const i = Math.floor(rest / strides[ax]);
      rest -= i * strides[ax];
      target += i * keptStride[ax];
    }
    map[flat] = target;
  }
  return map;
}

/** The shape left after reducing `axes` (kept as size 1 with keepdims). */
function reducedShape<D extends Dim>(shape: readonly D[], axes: ReadonlySet<number>, keepdims: boolean): (D | 1)[] {
  const out: (D | 1)[] = [];
  shape.forEach((d, ax) => {
    if (!axes.has(ax)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

type ReduceOp = 'reduce_sum' | 'reduce_mean' | 'reduce_max' | 'reduce_min' | 'reduce_prod';

interface Reducer {
  name: ReduceOp;
  doc: string;
  dtypes: readonly DType[];
  init: number;
  step: (acc: number, x: number) => number;
  /** Final value from the accumulator and the number of reduced elements. */
  finish?: (acc: number, count: number) => number;
}

const REDUCERS: Reducer[] = [
  { name: 'reduce_sum', doc: 'Sum', dtypes: ['f32', 'i32'], init: 0, step: (acc, x) => acc + x },
  { name: 'reduce_mean', doc: 'Mean', dtypes: ['f32'], init: 0, step: (acc, x) => acc + x, finish: (acc, n) => acc / n },
  { name: 'reduce_max', doc: 'Maximum (NaN propagates)', dtypes: ['f32', 'i32'], init: -Infinity, step: (acc, x) => Math.max(acc, x) },
  { name: 'reduce_min', doc: 'Minimum (NaN propagates)', dtypes: ['f32', 'i32'], init: Infinity, step: (acc, x) => Math.min(acc, x) },
  { name: 'reduce_prod', doc: 'Product', dtypes: ['f32', 'i32'], init: 1, step: (acc, x) => acc * x },
];

function axesOf(attrs: OpAttrs[ReduceOp], rank: number): Set<number> {
  return new Set(normalizeAxes(attrs.axes, rank));
}

for (const r of REDUCERS) {
  defineOp({
    name: r.name,
    doc: `${r.doc} over \`axes\` (negative allowed; [] reduces nothing); \`keepdims\` keeps them as size 1.\n\n    %1 = ${r.name}(%0) {axes=[1], keepdims=false} : f32[N]`,
    attrs: { axes: { kind: 'ints' }, keepdims: { kind: 'bool', default: false } },
    arity: 1,
    infer([x], attrs) {
      requireDType(x, r.dtypes, 'the operand');
      return [{ dtype: x.dtype, shape: reducedShape<Dim>(x.shape, axesOf(attrs, x.shape.length), attrs.keepdims) }];
    },
    reference([x], attrs): Tensor[] {
      const axes = axesOf(attrs, x.shape.length);
      const kept = new Set(x.shape.map((_, ax) => ax).filter((ax) => !axes.has(ax)));
      const map = projectIndexMap(x.shape, kept);
      const shape = reducedShape(x.shape, axes, attrs.keepdims);
      const acc = new Float64Array(sizeOf(shape)).fill(r.init);
      for (let i = 0; i < map.length; i++) acc[map[i]] = r.step(acc[map[i]], x.data[i]);
      const count = acc.length === 0 ? 0 : x.data.length / acc.length;
      const out = allocData(x.dtype, acc.length);
      for (let i = 0; i < acc.length; i++) out[i] = r.finish ? r.finish(acc[i], count) : acc[i];
      return [{ dtype: x.dtype, shape, data: out }];
    },
  });
}

/** Splits a shape around one axis: `outer` rows, the axis length, `inner` columns. */
function aroundAxis(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), len: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

function singleAxis(attrs: OpAttrs['argmax' | 'softmax' | 'log_softmax'], shape: Shape): number {
  return normalizeAxes([attrs.axis], shape.length)[0];
}

defineOp({
  name: 'argmax',
  doc: 'Index of the largest element along `axis` (the first one on ties; the first NaN if there is one), as i32; the axis is removed.\n\n    %1 = argmax(%0) {axis=-1} : i32[N]',
  attrs: { axis: { kind: 'int', default: -1 } },
  arity: 1,
  infer([x], attrs) {
    requireDType(x, ['f32', 'i32'], 'the operand');
    const axis = singleAxis(attrs, x.shape);
    return [{ dtype: 'i32', shape: x.shape.filter((_, ax) => ax !== axis) }];
  },
  reference([x], attrs) {
    const axis = singleAxis(attrs, x.shape);
    const { outer, len, inner } = aroundAxis(x.shape, axis);
    const out = new Int32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let best = 0;
        let bestValue = x.data[base];
        for (let k = 1; k < len; k++) {
          const v = x.data[base + k * inner];
          // A NaN beats every number (and a later NaN does not beat it), like reduce_max returning NaN.
          if (v > bestValue || (v !== v && bestValue === bestValue)) {
            best = k;
            bestValue = v;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return [{ dtype: 'i32', shape: x.shape.filter((_, ax) => ax !== axis), data: out }];
  },
});

/**
 * Softmax-family along one axis, numerically stable: the row maximum is
 * subtracted before exponentiating. `log` selects log_softmax.
 */
function softmaxAlong(x: Tensor, axis: number, log: boolean): Tensor {
  const { outer, len, inner } = aroundAxis(x.shape, axis);
  const out = new Float32Array(x.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let k = 0; k < len; k++) max = Math.max(max, x.data[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(x.data[base + k * inner] - max);
      const logSum = Math.log(sum);
      for (let k = 0; k < len; k++) {
        const shifted = x.data[base + k * inner] - max;
        out[base + k * inner] = log ? shifted - logSum : Math.exp(shifted) / sum;
      }
    }
  }
  return { dtype: 'f32', shape: [...x.shape], data: out };
}

for (const [name, log, formula] of [
  ['softmax', false, 'exp(x - max) / sum(exp(x - max))'],
  ['log_softmax', true, '(x - max) - log(sum(exp(x - max)))'],
] as const) {
  defineOp({
    name,
    doc: `${formula} along \`axis\`, with the maximum subtracted for stability.\n\n    %1 = ${name}(%0) {axis=-1} : f32[N,10]`,
    attrs: { axis: { kind: 'int', default: -1 } },
    arity: 1,
    infer([x], attrs) {
      requireDType(x, ['f32'], 'the operand');
      singleAxis(attrs, x.shape);
      return [{ dtype: 'f32', shape: [...x.shape] }];
    },
    reference([x], attrs) {
      return [softmaxAlong(x, singleAxis(attrs, x.shape), log)];
    },
  });
}
