/**
 * Ops that change a shape without moving data: `reshape`, `expand_dims`,
 * `squeeze`. The symbolic batch `N` never merges with static sizes: a reshape
 * keeps as many `N` entries as its input has, and the static sizes must
 * account for all the other elements.
 */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { sizeOf } from '../../ir/tensor.js';
import type { Dim, Shape } from '../../ir/types.js';
import { formatShape } from '../../ir/types.js';
import { axesOf, withShape } from './layout.js';

function staticProduct(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) if (d !== 'N' && d !== -1) n *= d;
  return n;
}

function countN(shape: readonly Dim[]): number {
  return shape.filter((d) => d === 'N').length;
}

/** Result shape of reshaping `input` to `target` (sizes, `N` and at most one `-1`). */
export function reshapeShape(input: Shape, target: readonly Dim[]): Shape {
  const holes = target.filter((d) => d === -1).length;
  if (holes > 1) throw new IRError(`shape ${formatShape([...target])} has more than one -1`);
  const bad = target.find((d) => d !== 'N' && d < -1);
  if (bad !== undefined) throw new IRError(`shape ${formatShape([...target])} has a negative size ${bad}`);
  const inN = countN(input);
  const outN = countN(target);
  const inStatic = staticProduct(input);
  const outStatic = staticProduct(target);
  const what = `cannot reshape ${formatShape(input)} to ${formatShape([...target])}`;
  if (outN > inN) throw new IRError(`${what}: the target has more N entries than the input`);
  const missingN = inN - outN;
  if (holes === 0) {
    if (missingN > 0) throw new IRError(`${what}: it would merge the batch N with static sizes`);
    if (inStatic !== outStatic) {
      throw new IRError(`${what}: ${inStatic} elements per batch entry do not fit ${outStatic}`);
    }
    return [...target];
  }
  let fill: Dim;
  if (missingN > 1) throw new IRError(`${what}: -1 would have to stand for several N`);
  if (missingN === 1) {
    if (inStatic !== outStatic) {
      throw new IRError(`${what}: -1 would be N times ${inStatic}/${outStatic}, merging the batch N with static sizes`);
    }
    fill = 'N';
  } else {
    if (outStatic === 0 || inStatic % outStatic !== 0) {
      throw new IRError(`${what}: ${inStatic} elements do not divide into ${outStatic}`);
    }
    fill = inStatic / outStatic;
  }
  return target.map((d) => (d === -1 ? fill : d));
}

/**
 * `reshape(x){shape}`: the same elements in row-major order under a new shape;
 * entries are sizes, `N` (the batch) or one `-1` (whatever is left).
 *
 *   %1 = reshape(%x) {shape=[N,-1]} : f32[N,60]      // %x: f32[N,4,5,3]
 */
defineOp({
  name: 'reshape',
  doc: 'Reinterprets the elements under a new shape (sizes, N, one -1).',
  attrs: { shape: { kind: 'dims', doc: 'target shape: sizes, N, or one -1' } },
  arity: 1,
  view: true,
  infer([x], attrs) {
    return [{ dtype: x.dtype, shape: reshapeShape(x.shape, attrs.shape) }];
  },
  reference([x], attrs, ctx) {
    const target = attrs.shape.map((d) => (d === 'N' ? ctx.batch : d));
    const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const total = sizeOf(x.shape);
    const shape = target.map((d) => (d === -1 ? total / known : d));
    if (sizeOf(shape) !== total || !shape.every(Number.isInteger)) {
      throw new IRError(`reshape: cannot reshape [${x.shape.join(',')}] to [${target.join(',')}]`);
    }
    return [withShape(x, shape)];
  },
});

function expandShape<D>(shape: readonly D[], axis: number, one: D): D[] {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank + 1 : axis;
  if (a < 0 || a > rank) throw new IRError(`axis ${axis} is out of range for expanding a rank-${rank} tensor`);
  return [...shape.slice(0, a), one, ...shape.slice(a)];
}

/**
 * `expand_dims(x){axis}`: inserts a size-1 axis at `axis` (in `[-(rank+1), rank]`).
 *
 *   %1 = expand_dims(%x) {axis=1} : f32[N,1,8]       // %x: f32[N,8]
 */
defineOp({
  name: 'expand_dims',
  doc: 'Inserts a size-1 axis.',
  attrs: { axis: { kind: 'int' } },
  arity: 1,
  view: true,
  infer([x], attrs) {
    return [{ dtype: x.dtype, shape: expandShape<Dim>(x.shape, attrs.axis, 1) }];
  },
  reference([x], attrs) {
    return [withShape(x, expandShape(x.shape, attrs.axis, 1))];
  },
});

function squeezeShape<D extends Dim>(shape: readonly D[], axes: readonly number[]): D[] {
  const drop = axesOf(axes, shape);
  for (const a of drop) {
    if (shape[a] !== 1) {
      throw new IRError(`cannot squeeze axis ${a} of ${formatShape([...shape])}: its size is ${shape[a]}, not 1`);
    }
  }
  return shape.filter((_, i) => !drop.includes(i));
}

/**
 * `squeeze(x){axes}`: removes the listed axes, each of which must have size 1
 * (`axes=[]` removes nothing). The batch axis `N` cannot be squeezed.
 *
 *   %1 = squeeze(%x) {axes=[1,3]} : f32[N,5]         // %x: f32[N,1,5,1]
 */
defineOp({
  name: 'squeeze',
  doc: 'Removes the listed size-1 axes.',
  attrs: { axes: { kind: 'ints' } },
  arity: 1,
  view: true,
  infer([x], attrs) {
    return [{ dtype: x.dtype, shape: squeezeShape(x.shape, attrs.axes) }];
  },
  reference([x], attrs) {
    return [withShape(x, squeezeShape(x.shape, attrs.axes))];
  },
});
