/**
 * Ops that cut or grow a tensor's extent: `slice` and `pad`. On the batch axis
 * `N` a slice must keep everything (`begin 0, end 0`) and a pad must add nothing.
 */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { stridesOf } from '../../ir/tensor.js';
import type { Dim, Shape } from '../../ir/types.js';
import { formatShape } from '../../ir/types.js';
import { checkValueFits, elementValue, expectPerAxis, remap } from './layout.js';

/** Start and length of a half-open slice `[begin, end)` of an axis; `end <= 0` counts from the end. */
function sliceRange(size: number, begin: number, end: number, axis: number): { start: number; length: number } {
  const stop = end <= 0 ? size + end : end;
  if (begin < 0 || begin > size || stop < begin || stop > size) {
    throw new IRError(`slice [${begin}, ${end}) does not fit axis ${axis} of size ${size}`);
  }
  return { start: begin, length: stop - begin };
}

function sliceShape(shape: Shape, begin: readonly number[], end: readonly number[]): Dim[] {
  expectPerAxis('begin', begin.length, shape);
  expectPerAxis('end', end.length, shape);
  return shape.map((d, i) => {
    if (d !== 'N') return sliceRange(d, begin[i], end[i], i).length;
    if (begin[i] !== 0 || end[i] !== 0) {
      throw new IRError(`slice [${begin[i]}, ${end[i]}) of the batch axis ${i} (N) must keep it whole: begin 0, end 0`);
    }
    return 'N';
  });
}

/**
 * `slice(x){begin, end}`: the half-open box `[begin, end)`, one entry per axis;
 * `end[i] <= 0` means `size + end[i]`, so `end = 0` runs to the end of the axis.
 *
 *   %1 = slice(%x) {begin=[0,2], end=[0,-1]} : f32[N,5]   // %x: f32[N,8]
 */
defineOp({
  name: 'slice',
  doc: 'Takes the half-open box [begin, end) of each axis (end <= 0 counts from the end).',
  attrs: { begin: { kind: 'ints' }, end: { kind: 'ints' } },
  arity: 1,
  infer([x], attrs) {
    return [{ dtype: x.dtype, shape: sliceShape(x.shape, attrs.begin, attrs.end) }];
  },
  reference([x], attrs) {
    const begin = attrs.begin;
    const end = attrs.end;
    const ranges = x.shape.map((d, i) => sliceRange(d, begin[i], end[i], i));
    const strides = stridesOf(x.shape);
    const shape = ranges.map((r) => r.length);
    return [remap(x, shape, (idx) => idx.reduce((s, i, k) => s + (i + ranges[k].start) * strides[k], 0))];
  },
});

function padShape(shape: Shape, pads: readonly (readonly number[])[]): Dim[] {
  expectPerAxis('pads', pads.length, shape);
  return shape.map((d, i) => {
    const p = pads[i];
    if (p.length !== 2 || p[0] < 0 || p[1] < 0) {
      throw new IRError(`pads entry ${i} must be [before, after] with both >= 0, got ${formatShape(p)}`);
    }
    if (d !== 'N') return d + p[0] + p[1];
    if (p[0] !== 0 || p[1] !== 0) throw new IRError(`cannot pad the batch axis ${i} (N)`);
    return 'N';
  });
}

/**
 * `pad(x){pads, value}`: adds `pads[i] = [before, after]` elements of `value`
 * around axis `i`.
 *
 *   %1 = pad(%x) {pads=[[0,0],[1,2],[1,2],[0,0]], value=0} : f32[N,9,9,3]   // %x: f32[N,6,6,3]
 */
defineOp({
  name: 'pad',
  doc: 'Pads each axis with a constant value.',
  attrs: { pads: { kind: 'intss' }, value: { kind: 'float', default: 0 } },
  arity: 1,
  infer([x], attrs) {
    checkValueFits(attrs.value, x.dtype, 'pad value');
    return [{ dtype: x.dtype, shape: padShape(x.shape, attrs.pads) }];
  },
  reference([x], attrs) {
    const pads = attrs.pads;
    const shape = padShape(x.shape, pads) as number[];
    const strides = stridesOf(x.shape);
    const fill = elementValue(attrs.value, x.dtype);
    const source = (idx: readonly number[]): number => {
      let s = 0;
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k] - pads[k][0];
        if (i < 0 || i >= x.shape[k]) return -1;
        s += i * strides[k];
      }
      return s;
    };
    return [remap(x, shape, source, fill)];
  },
});
