/**
 * Op family 'linalg' (docs/OPS.md).
 *
 * `matmul(a, b){transpose_a, transpose_b}`: NumPy `matmul` for rank >= 2.
 * The last two axes are the matrices (after the optional transposes, which
 * swap them); the leading batch axes broadcast, so a rank-2 operand applies
 * to every batch entry of a rank-3 one:
 *
 *   %2 = matmul(%x, %w) {transpose_a=false, transpose_b=false} : f32[N,5,32]
 *
 * with %x: f32[N,5,12] and %w: f32[12,32].
 */
import { IRError } from '../ir/errors.js';
import { defineOp } from '../ir/define_op.js';
import type { OpAttrs } from '../ir/op_types.js';
import { allocData } from '../ir/tensor.js';
import type { Dim, Shape, TensorType } from '../ir/types.js';
import { formatType } from '../ir/types.js';
import { broadcastIndexMap, broadcastShapes, broadcastStatic } from './util.js';

interface MatmulShape {
  batch: Shape;
  aBatch: Shape;
  bBatch: Shape;
  m: Dim;
  k: Dim;
  n: Dim;
}

/** Rows and columns of an operand's matrix, after the optional transpose. */
function matrixDims(shape: Shape, transpose: boolean): [Dim, Dim] {
  const r = shape[shape.length - 2];
  const c = shape[shape.length - 1];
  return transpose ? [c, r] : [r, c];
}

function matmulShape(a: TensorType, b: TensorType, attrs: OpAttrs['matmul']): MatmulShape {
  const where = `a ${formatType(a)}, b ${formatType(b)}`;
  if (a.dtype !== b.dtype) throw new IRError(`operand dtypes differ (${where})`);
  if (a.dtype === 'bool') throw new IRError(`operands must be f32 or i32 (${where})`);
  if (a.shape.length < 2 || b.shape.length < 2) throw new IRError(`operands must have rank >= 2 (${where})`);
  const [m, k] = matrixDims(a.shape, attrs.transpose_a);
  const [k2, n] = matrixDims(b.shape, attrs.transpose_b);
  if (k !== k2) throw new IRError(`inner dimensions differ: ${String(k)} vs ${String(k2)} (${where})`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  let batch: Shape;
  try {
    batch = broadcastShapes(aBatch, bBatch);
  } catch {
    throw new IRError(`batch axes do not broadcast (${where})`);
  }
  return { batch, aBatch, bBatch, m, k, n };
}

defineOp({
  name: 'matmul',
  doc: 'NumPy matmul for rank >= 2 with broadcasting batch axes; transposes swap the last two axes first.',
  attrs: {
    transpose_a: { kind: 'bool', default: false },
    transpose_b: { kind: 'bool', default: false },
  },
  arity: 2,
  fusionAnchor: true,
  infer([a, b], attrs) {
    const { batch, m, n } = matmulShape(a, b, attrs);
    return [{ dtype: a.dtype, shape: [...batch, m, n] }];
  },
  reference([a, b], attrs) {
    const shape = matmulShape(a, b, attrs);
    const m = shape.m as number;
    const k = shape.k as number;
    const n = shape.n as number;
    const aBatch = shape.aBatch as number[];
    const bBatch = shape.bBatch as number[];
    const batch = broadcastStatic(aBatch, bBatch);
    const aOf = broadcastIndexMap(aBatch, batch);
    const bOf = broadcastIndexMap(bBatch, batch);
    // Element strides of a's (row i, inner p) and b's (inner p, column j), transposes included.
    const [aRow, aInner] = attrs.transpose_a ? [1, m] : [k, 1];
    const [bInner, bCol] = attrs.transpose_b ? [1, k] : [n, 1];
    const ad = a.data;
    const bd = b.data;
    const out = allocData(a.dtype, aOf.length * m * n);
    const acc = new Float64Array(n);
    for (let t = 0; t < aOf.length; t++) {
      const aBase = aOf[t] * m * k;
      const bBase = bOf[t] * k * n;
      const oBase = t * m * n;
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let p = 0; p < k; p++) {
          const av = ad[aBase + i * aRow + p * aInner];
          const bRow = bBase + p * bInner;
          for (let j = 0; j < n; j++) acc[j] += av * bd[bRow + j * bCol];
        }
        for (let j = 0; j < n; j++) out[oBase + i * n + j] = acc[j];
      }
    }
    return [{ dtype: a.dtype, shape: [...batch, m, n], data: out }];
  },
});
