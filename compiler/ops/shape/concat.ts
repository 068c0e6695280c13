/**
 * `concat(xs...){axis}`: joins tensors along one axis; every other axis must
 * agree. Joining along the batch axis `N` is only possible for a single
 * operand, since `N + N` or `N + 3` has no name in the IR.
 *
 *   %2 = concat(%a, %b) {axis=-1} : f32[N,7]          // %a: f32[N,3], %b: f32[N,4]
 */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { allocData, sizeOf } from '../../ir/tensor.js';
import type { Dim, TensorType } from '../../ir/types.js';
import { formatType } from '../../ir/types.js';
import { axisOf } from './layout.js';

function concatShape(xs: TensorType[], axisAttr: number): Dim[] {
  const first = xs[0];
  const axis = axisOf(axisAttr, first.shape);
  let joined: Dim = 0;
  xs.forEach((x, k) => {
    if (x.dtype !== first.dtype || x.shape.length !== first.shape.length) {
      throw new IRError(`operand ${k} is ${formatType(x)} but operand 0 is ${formatType(first)}: dtypes and ranks must match`);
    }
    x.shape.forEach((d, i) => {
      if (i !== axis && d !== first.shape[i]) {
        throw new IRError(`operand ${k} is ${formatType(x)} but operand 0 is ${formatType(first)}: only axis ${axis} may differ`);
      }
    });
    const d = x.shape[axis];
    if (d === 'N' && xs.length > 1) throw new IRError(`cannot concatenate ${xs.length} operands along the batch axis N`);
    joined = d === 'N' ? 'N' : (joined as number) + d;
  });
  return first.shape.map((d, i) => (i === axis ? joined : d));
}

defineOp({
  name: 'concat',
  doc: 'Concatenates the operands along an axis.',
  attrs: { axis: { kind: 'int' } },
  arity: { min: 1 },
  infer(xs, attrs) {
    return [{ dtype: xs[0].dtype, shape: concatShape(xs, attrs.axis) }];
  },
  reference(xs, attrs) {
    const axis = axisOf(attrs.axis, xs[0].shape);
    const shape = concatShape(xs.map((x) => ({ dtype: x.dtype, shape: x.shape })), axis) as number[];
    const outer = sizeOf(shape.slice(0, axis));
    const inner = sizeOf(shape.slice(axis + 1));
    const data = allocData(xs[0].dtype, sizeOf(shape));
    // Each operand contributes one contiguous block of `shape_k[axis] * inner` per outer index.
    let offset = 0;
    for (const x of xs) {
      const block = x.shape[axis] * inner;
      for (let o = 0; o < outer; o++) {
        data.set(x.data.subarray(o * block, (o + 1) * block), o * shape[axis] * inner + offset);
      }
      offset += block;
    }
    return [{ dtype: xs[0].dtype, shape, data }];
  },
});
