/**
 * `gather(params, indices: i32){axis}`: picks entries of `params` along `axis`.
 * The result shape is `params.shape[:axis] + indices.shape + params.shape[axis+1:]`;
 * an index outside `[0, size)` selects a block of zeros (every backend does
 * the same; nothing outside the table is ever read).
 *
 *   %2 = gather(%table, %ids) {axis=0} : f32[N,10,16]   // %table: f32[1000,16], %ids: i32[N,10]
 */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { allocData, sizeOf } from '../../ir/tensor.js';
import { formatType } from '../../ir/types.js';
import { axisOf } from './layout.js';

defineOp({
  name: 'gather',
  doc: 'Gathers slices of params along an axis at i32 indices; an index outside [0, size) gives zeros.',
  attrs: { axis: { kind: 'int', default: 0 } },
  arity: 2,
  infer([params, indices], attrs) {
    if (indices.dtype !== 'i32') throw new IRError(`indices must be i32, got ${formatType(indices)}`);
    const axis = axisOf(attrs.axis, params.shape);
    return [
      {
        dtype: params.dtype,
        shape: [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)],
      },
    ];
  },
  reference([params, indices], attrs) {
    const axis = axisOf(attrs.axis, params.shape);
    const outer = sizeOf(params.shape.slice(0, axis));
    const size = params.shape[axis];
    const inner = sizeOf(params.shape.slice(axis + 1));
    const count = indices.data.length;
    const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
    const data = allocData(params.dtype, sizeOf(shape));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        const index = indices.data[j];
        if (index < 0 || index >= size) continue; // out of range: the block stays zero, on every backend
        const src = (o * size + index) * inner;
        data.set(params.data.subarray(src, src + inner), (o * count + j) * inner);
      }
    }
    return [{ dtype: params.dtype, shape, data }];
  },
});
