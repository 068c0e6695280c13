/**
 * `const`: reads a named weight from the graph's weight table.
 *
 *   %0 = const {ref="dense/kernel", dtype="f32", shape=[16,32]} : f32[16,32]
 */
import { IRError } from '../ir/errors.js';
import { defineOp } from '../ir/define_op.js';
import { formatShape } from '../ir/types.js';

defineOp({
  name: 'const',
  doc: 'A weight or constant tensor, read from the weight table by name.',
  attrs: {
    ref: { kind: 'string', doc: 'weight name in the graph weight table' },
    dtype: { kind: 'dtype' },
    shape: { kind: 'ints' },
  },
  arity: 0,
  readsWeight: true,
  infer(_inputs, attrs) {
    const shape = [...attrs.shape];
    if (shape.some((d) => d < 0)) throw new IRError(`shape ${formatShape(shape)} has a negative size`);
    return [{ dtype: attrs.dtype, shape }];
  },
  reference(_inputs, attrs, ctx) {
    const t = ctx.weight(attrs.ref);
    const shape = [...attrs.shape];
    if (t.dtype !== attrs.dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new IRError(`weight '${String(attrs.ref)}' is ${t.dtype}${formatShape(t.shape)}, the graph expects ${String(attrs.dtype)}${formatShape(shape)}`);
    }
    return [t];
  },
});
