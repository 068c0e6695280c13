/**
 * Ops that repeat elements: `tile` (whole copies along each axis) and
 * `broadcast_to` (NumPy broadcasting to a given shape).
 */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { allocData, stridesOf } from '../../ir/tensor.js';
import type { Dim, Shape } from '../../ir/types.js';
import { formatShape, resolveShape } from '../../ir/types.js';
import { broadcastIndexMap } from '../util.js';
import { expectPerAxis, remap } from './layout.js';

function tileShape(shape: Shape, reps: readonly number[]): Dim[] {
  expectPerAxis('reps', reps.length, shape);
  return shape.map((d, i) => {
    const r = reps[i];
    if (r < 1) throw new IRError(`reps entry ${i} must be at least 1, got ${r}`);
    if (d !== 'N') return d * r;
    if (r !== 1) throw new IRError(`reps entry ${i} is ${r}, but the batch axis N can only be tiled once`);
    return 'N';
  });
}

/**
 * `tile(x){reps}`: repeats the whole tensor `reps[i]` times along axis `i`.
 *
 *   %1 = tile(%x) {reps=[1,3]} : f32[N,12]            // %x: f32[N,4]
 */
defineOp({
  name: 'tile',
  doc: 'Repeats the tensor reps[i] times along each axis i.',
  attrs: { reps: { kind: 'ints' } },
  arity: 1,
  infer([x], attrs) {
    return [{ dtype: x.dtype, shape: tileShape(x.shape, attrs.reps) }];
  },
  reference([x], attrs) {
    const shape = tileShape(x.shape, attrs.reps) as number[];
    const strides = stridesOf(x.shape);
    return [remap(x, shape, (idx) => idx.reduce((s, i, k) => s + (i % x.shape[k]) * strides[k], 0))];
  },
});

function broadcastTarget(from: Shape, target: readonly Dim[]): Dim[] {
  const what = `cannot broadcast ${formatShape(from)} to ${formatShape([...target])}`;
  if (target.some((d) => d !== 'N' && d < 0)) throw new IRError(`${what}: the target needs sizes or N, not ${formatShape([...target])}`);
  if (from.length > target.length) throw new IRError(`${what}: the target has lower rank`);
  const offset = target.length - from.length;
  from.forEach((d, i) => {
    if (d !== 1 && d !== target[i + offset]) throw new IRError(`${what}: axis ${i} has size ${d}`);
  });
  return [...target];
}

/**
 * `broadcast_to(x){shape}`: NumPy broadcasting of `x` to `shape` (sizes and `N`).
 *
 *   %1 = broadcast_to(%x) {shape=[N,4,3]} : f32[N,4,3]   // %x: f32[4,1]
 */
defineOp({
  name: 'broadcast_to',
  doc: 'Broadcasts the operand to a shape (NumPy rules).',
  attrs: { shape: { kind: 'dims' } },
  arity: 1,
  infer([x], attrs) {
    return [{ dtype: x.dtype, shape: broadcastTarget(x.shape, attrs.shape) }];
  },
  reference([x], attrs, ctx) {
    const shape = resolveShape(attrs.shape, ctx.batch);
    broadcastTarget(x.shape, shape);
    const map = broadcastIndexMap(x.shape, shape);
    const data = allocData(x.dtype, map.length);
    map.forEach((src, flat) => (data[flat] = x.data[src]));
    return [{ dtype: x.dtype, shape, data }];
  },
});
