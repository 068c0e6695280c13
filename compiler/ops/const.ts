/**
 * `const`: reads a named weight from the graph's weight table.
 *
 *   %0 = const {ref="dense/kernel", dtype="f32", shape=[16,32]} : f32[16,32]
 */
import { attr } from '../ir/attrs.js';
import { IRError } from '../ir/errors.js';
import { registerOp } from '../ir/op.js';
import type { DType } from '../ir/types.js';
import { formatShape } from '../ir/types.js';

registerOp({
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
    const shape = attr.ints(attrs, 'shape');
    if (shape.some((d) => d < 0)) throw new IRError(`shape ${formatShape(shape)} has a negative size`);
    return [{ dtype: attr.string(attrs, 'dtype') as DType, shape }];
  },
  reference(_inputs, attrs, ctx) {
    const t = ctx.weight(attr.string(attrs, 'ref'));
    const shape = attr.ints(attrs, 'shape');
    if (t.dtype !== attrs.dtype || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new IRError(`weight '${String(attrs.ref)}' is ${t.dtype}${formatShape(t.shape)}, the graph expects ${String(attrs.dtype)}${formatShape(shape)}`);
    }
    return [t];
  },
});
