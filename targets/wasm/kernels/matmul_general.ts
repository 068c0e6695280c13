/**
 * matmul in general (NumPy semantics: batched, broadcast batch axes,
 * transpose_a / transpose_b, a right operand computed at run time), for what
 * the GEMM kernel (matmul.ts, constant B) does not take: Dot layers,
 * attention-like products. Per result row, 4 columns at a time: the
 * accumulator gathers splat(A[i,k]) * B[k, j..j+3] over k. `anyMatmulKernel`
 * keeps the GEMM path wherever it applies and falls back to this loop for a
 * plain (unfused) matmul otherwise.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import type { Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import type { EmitContext, KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { matmulKernel as gemmKernel } from './matmul.js';
import { denseStrides, strideNest, type NestAxis } from './nest.js';
import { chunks } from './rows.js';

interface Operand {
  batch: Dim[];
  /** Element strides of the matrix's (row, col) as the product sees it (after the transpose). */
  row: number;
  col: number;
  size: number;
}

function operand(shape: readonly Dim[], transposed: boolean): Operand {
  const [r, c] = shape.slice(-2) as number[];
  return { batch: shape.slice(0, -2), row: transposed ? 1 : c, col: transposed ? c : 1, size: r * c };
}

function generalUnsupported(node: Node): string | null {
  const [a, b] = node.inputs.map((v) => v.type);
  if (a.dtype !== 'f32' || b.dtype !== 'f32') return "the wasm target does not support op 'matmul' on non-f32 values yet";
  for (const v of [...node.inputs, ...node.outputs]) {
    const why = loopUnsupported(v.type.shape);
    if (why) return `the wasm target cannot compile 'matmul': ${why}`;
  }
  const out = node.outputs[0].type.shape;
  const [m, f] = out.slice(-2);
  if (f === 'N' || (m === 'N' && out.length !== 2)) return "the wasm target supports 'matmul' with the batch N on the first axis only";
  const k = attrsOf(node, OP.matmul).transpose_a ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  if (k === 'N') return "the wasm target does not support 'matmul' contracting over the batch axis N";
  return null;
}

/** Byte strides of an operand along the result's batch axes (0 where it broadcasts). */
function batchStrides(op: Operand, resultBatch: readonly Dim[]): number[] {
  const dense = denseStrides(op.batch);
  const lead = resultBatch.length - op.batch.length;
  return resultBatch.map((d, i) => {
    const k = i - lead;
    return k < 0 || (op.batch[k] === 1 && d !== 1) ? 0 : dense[k] * op.size * 4;
  });
}

function emitGeneral(ctx: EmitContext): Expr {
  const { fn, node } = ctx;
  const m = fn.module;
  const { transpose_a: transposeA, transpose_b: transposeB } = attrsOf(node, OP.matmul);
  const [aShape, bShape] = node.inputs.map((v) => v.type.shape);
  const out = node.outputs[0].type.shape;
  const [rows, cols] = out.slice(-2);
  const k = (transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1]) as number;
  const f = cols as number;
  // With a rank-2 A of [N, K] the rows are the batch: operand sizes then count per row.
  const a = operand(rows === 'N' ? [1, k] : aShape, transposeA);
  const b = operand(bShape, transposeB);
  const resultBatch = out.slice(0, -2);
  const cSize = (rows === 'N' ? 1 : rows) * f;
  const batchAxes: NestAxis[] = resultBatch.map((d, i) => ({
    size: d === 'N' ? 1 : d,
    batch: d === 'N',
    strides: [batchStrides(a, resultBatch)[i], batchStrides(b, resultBatch)[i], denseStrides(resultBatch)[i] * cSize * 4],
  }));
  const rowAxis: NestAxis = { size: rows === 'N' ? 1 : rows, batch: rows === 'N', strides: [a.row * 4, 0, f * 4] };
  const vb = new VecBuilder(m, (t) => fn.local(t));
  const acc = fn.local(binaryen.v128);
  const bRow = fn.local(binaryen.i32);
  const loadB = (ptr: Expr, lanes: number): Expr => {
    if (b.col === 1) return m.v128.load(0, 4, ptr);
    // Columns of a transposed B are K elements apart: gather the lanes.
    let v = m.f32x4.splat(m.f32.load(0, 4, fn.get(bRow)));
    for (let lane = 1; lane < lanes; lane++) v = m.f32x4.replace_lane(v, lane, m.f32.load(lane * b.col * 4, 4, fn.get(bRow)));
    return m.block(null, [fn.set(bRow, ptr), v], binaryen.v128);
  };
  return strideNest(fn, ctx.batch, batchAxes, [ctx.operand(0), ctx.operand(1), ctx.result(0)], ([pa, pb, pc]) => [
    strideNest(fn, ctx.batch, [rowAxis], [pa, pb, pc], ([ra, rb, rc]) => [
      chunks(fn, f, 'columns', (offset, lanes) => {
        const colB = (): Expr => (b.col === 1 ? m.i32.add(rb(), offset()) : m.i32.add(rb(), m.i32.mul(offset(), m.i32.const(b.col))));
        const fold = strideNest(fn, ctx.batch, [{ size: k, batch: false, strides: [a.col * 4, b.row * 4] }], [ra, colB], ([ea, eb]) => [
          fn.set(acc, m.f32x4.add(fn.get(acc), m.f32x4.mul(m.v128.load32_splat(0, 4, ea()), loadB(eb(), lanes)))),
        ]);
        const value = vb.let(fn.get(acc));
        return [fn.set(acc, vb.f32(0)), fold, ...vb.drain(), ...storeLanes(m, 'f32', () => m.i32.add(rc(), offset()), value, lanes)];
      }),
    ]),
  ]);
}

export const anyMatmulKernel: KernelEmitter = {
  unsupported(node, facts) {
    const gemm = gemmKernel.unsupported(node, facts);
    if (gemm === null || node.body) return gemm;
    return generalUnsupported(node);
  },
  emit(ctx) {
    return gemmKernel.unsupported(ctx.node, ctx) === null ? gemmKernel.emit(ctx) : emitGeneral(ctx);
  },
};
