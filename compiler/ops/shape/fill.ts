/**
 * `fill(){shape, value, dtype}`: a tensor of one repeated value. It has no
 * operands; `N` in `shape` resolves to the run's batch size.
 *
 *   %0 = fill() {shape=[N,16], value=0, dtype="f32"} : f32[N,16]
 */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { allocData, sizeOf } from '../../ir/tensor.js';
import { formatShape, resolveShape } from '../../ir/types.js';
import { checkValueFits, elementValue } from './layout.js';

defineOp({
  name: 'fill',
  doc: 'A tensor of the given shape (sizes and N) filled with one value.',
  attrs: {
    shape: { kind: 'dims' },
    value: { kind: 'float', default: 0 },
    dtype: { kind: 'dtype', default: 'f32' },
  },
  arity: 0,
  infer(_inputs, attrs) {
    const shape = attrs.shape;
    if (shape.some((d) => d !== 'N' && d < 0)) throw new IRError(`shape ${formatShape(shape)} must hold sizes or N, not -1`);
    const dtype = attrs.dtype;
    checkValueFits(attrs.value, dtype, 'fill value');
    return [{ dtype, shape: [...shape] }];
  },
  reference(_inputs, attrs, ctx) {
    const dtype = attrs.dtype;
    const shape = resolveShape(attrs.shape, ctx.batch);
    const data = allocData(dtype, sizeOf(shape));
    data.fill(elementValue(attrs.value, dtype));
    return [{ dtype, shape, data }];
  },
});
