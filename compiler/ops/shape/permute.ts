/** Ops that move elements within one tensor: `transpose` and `reverse`. */
import { IRError } from '../../ir/errors.js';
import { defineOp } from '../../ir/define_op.js';
import { stridesOf } from '../../ir/tensor.js';
import type { Shape } from '../../ir/types.js';
import { formatShape } from '../../ir/types.js';
import { axesOf, expectPerAxis, remap } from './layout.js';

function checkPermutation(perm: readonly number[], shape: Shape): void {
  expectPerAxis('perm', perm.length, shape);
  const sorted = [...perm].sort((a, b) => a - b);
  if (!sorted.every((p, i) => p === i)) {
    throw new IRError(`perm ${formatShape([...perm])} is not a permutation of the axes 0..${shape.length - 1}`);
  }
}

/**
 * `transpose(x){perm}`: result axis `i` is input axis `perm[i]`.
 *
 *   %1 = transpose(%x) {perm=[0,2,1]} : f32[N,5,3]    // %x: f32[N,3,5]
 */
defineOp({
  name: 'transpose',
  doc: 'Permutes the axes: result axis i is input axis perm[i].',
  attrs: { perm: { kind: 'ints' } },
  arity: 1,
  infer([x], attrs) {
    const perm = attrs.perm;
    checkPermutation(perm, x.shape);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
  reference([x], attrs) {
    const perm = attrs.perm;
    const strides = stridesOf(x.shape);
    const outStrides = perm.map((p) => strides[p]);
    const shape = perm.map((p) => x.shape[p]);
    return [remap(x, shape, (idx) => idx.reduce((s, i, k) => s + i * outStrides[k], 0))];
  },
});

/**
 * `reverse(x){axes}`: reverses the order of elements along each listed axis.
 *
 *   %1 = reverse(%x) {axes=[1]} : f32[N,7,4]          // %x: f32[N,7,4]
 */
defineOp({
  name: 'reverse',
  doc: 'Reverses the elements along the listed axes.',
  attrs: { axes: { kind: 'ints' } },
  arity: 1,
  infer([x], attrs) {
    axesOf(attrs.axes, x.shape);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference([x], attrs) {
    const flip = axesOf(attrs.axes, x.shape);
    const strides = stridesOf(x.shape);
    return [
      remap(x, x.shape, (idx) =>
        idx.reduce((s, i, k) => s + (flip.includes(k) ? x.shape[k] - 1 - i : i) * strides[k], 0),
      ),
    ];
  },
});
