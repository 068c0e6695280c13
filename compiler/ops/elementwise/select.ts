/**
 * `select(cond, a, b)`: `cond ? a : b` elementwise, all three broadcast
 * together (NumPy rules); `a` and `b` share a dtype, `cond` is bool.
 *
 *     %1 = select(%c, %a, %b) : f32[N,4,8]
 */
import { IRError } from '../../ir/errors.js';
import { registerOp } from '../../ir/op.js';
import { allocData } from '../../ir/tensor.js';
import { broadcastIndexMap } from '../util.js';
import { broadcastAll, requireDType } from './define.js';

registerOp({
  name: 'select',
  doc: 'cond ? a : b elementwise; cond is bool, a and b share a dtype; all three broadcast.\n\n    %1 = select(%c, %a, %b) : f32[N,4,8]',
  attrs: {},
  arity: 3,
  elementwise: 'ternary',
  infer([cond, a, b]) {
    requireDType(cond, ['bool'], 'the condition');
    if (a.dtype !== b.dtype) throw new IRError(`the two branches have different dtypes (${a.dtype} and ${b.dtype})`);
    return [{ dtype: a.dtype, shape: broadcastAll([cond.shape, a.shape, b.shape]) }];
  },
  reference([cond, a, b]) {
    const shape = broadcastAll([cond.shape, a.shape, b.shape]) as number[];
    const [ic, ia, ib] = [cond, a, b].map((t) => broadcastIndexMap(t.shape, shape));
    const out = allocData(a.dtype, ic.length);
    for (let i = 0; i < out.length; i++) out[i] = cond.data[ic[i]] ? a.data[ia[i]] : b.data[ib[i]];
    return [{ dtype: a.dtype, shape, data: out }];
  },
});
