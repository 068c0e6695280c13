/**
 * `matmul` as the tiled GEMM: NumPy semantics with broadcasting batch axes
 * and the two transpose attributes, B a weight or computed at run time.
 * When B has no batch (rank 2, or batch axes all 1), A's batch axes fold into
 * the GEMM rows (a Dense layer over [N, T, K] is one GEMM of N*T rows);
 * otherwise each entry of the broadcast batch is one GEMM group, and each
 * operand finds its matrix from the group index through its own batch strides.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { broadcastShapes } from '../../../compiler/ops/util.js';
import type { Affine } from '../../../compiler/plan/index.js';
import type { Dim, Shape } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { countAffine, decomposeIndex, dimExpr, linearIndex, productExpr } from '../shape_exprs.js';

export interface MatmulGemm {
  rows: Affine;
  cols: number;
  depth: number;
  groups: Affine;
  /** Bodies of the A and B load functions, reading bindings `a_name` and `b_name`. */
  loadA(a: string): string;
  loadB(b: string): string;
}

interface MatmulDims {
  aBatch: Shape;
  bBatch: Shape;
  batch: Shape;
  m: Dim;
  k: Dim;
  n: Dim;
  transposeA: boolean;
  transposeB: boolean;
}

function matmulDims(anchor: Node): MatmulDims {
  const [a, b] = anchor.inputs.map((v) => v.type.shape);
  const { transpose_a: transposeA, transpose_b: transposeB } = attrsOf(anchor, OP.matmul);
  const [m, k] = transposeA ? [a[a.length - 1], a[a.length - 2]] : [a[a.length - 2], a[a.length - 1]];
  const n = transposeB ? b[b.length - 2] : b[b.length - 1];
  const aBatch = a.slice(0, -2);
  const bBatch = b.slice(0, -2);
  return { aBatch, bBatch, batch: broadcastShapes(aBatch, bBatch), m, k, n, transposeA, transposeB };
}

const batchCount = (shape: Shape): number => shape.filter((d) => d === 'N').length;
const foldsIntoRows = (d: MatmulDims): boolean => d.bBatch.every((x) => x === 1);

/** The axes of A that make the GEMM rows when they fold: its batch axes and M. */
const rowShape = (d: MatmulDims): Shape => [...d.aBatch, d.m];

/** Why the GEMM cannot run this matmul, or null. */
export function matmulGemmUnsupported(anchor: Node): string | null {
  const a = anchor.inputs[0].type;
  if (a.dtype !== 'f32') return `the webgpu target does not support op 'matmul' on ${a.dtype} values yet`;
  const d = matmulDims(anchor);
  if (typeof d.k !== 'number' || typeof d.n !== 'number') {
    return "the webgpu target does not support op 'matmul' with the batch N as its inner or column size";
  }
  const batchAxes = foldsIntoRows(d) ? batchCount(rowShape(d)) : batchCount(d.batch) + (d.m === 'N' ? 1 : 0);
  if (batchAxes > 1) return "the webgpu target does not support op 'matmul' with the batch N on more than one axis of its rows and batch axes";
  return null;
}

/** Statements binding `<name>` to the first element of the operand matrix of group `g`. */
function matrixBase(name: string, operandBatch: Shape, batch: Shape, matrix: string): string {
  const offset = batch.length - operandBatch.length;
  const coords = operandBatch.map((d, i) => (d === 1 ? '0u' : `${name}_g${i + offset}`));
  const item = operandBatch.length === 0 ? '0u' : linearIndex(operandBatch, coords);
  return [decomposeIndex(batch, 'g', `${name}_g`), `let ${name} = (${item}) * ${matrix};`].join('\n');
}

export function matmulGemm(anchor: Node): MatmulGemm {
  const d = matmulDims(anchor);
  const k = d.k as number;
  const cols = d.n as number;
  const m = dimExpr(d.m);
  const aAt = (row: string): string => (d.transposeA ? `k * ${m} + ${row}` : `${row} * ${k}u + k`);
  const bAt = d.transposeB ? `col * ${k}u + k` : `k * ${cols}u + col`;
  if (foldsIntoRows(d)) {
    // With A transposed, a row is (item, m) and each item holds an [K, M] matrix.
    const loadA = (a: string): string =>
      d.transposeA ? `let item = row / ${m};\nreturn ${a}[item * ${k}u * ${m} + ${aAt(`row % ${m}`)}];` : `return ${a}[${aAt('row')}];`;
    return { rows: countAffine(rowShape(d)), cols, depth: k, groups: { base: 1, perBatch: 0 }, loadA, loadB: (b) => `return ${b}[${bAt}];` };
  }
  const aMatrix = productExpr([d.m, k]);
  const bMatrix = `${k * cols}u`;
  return {
    rows: countAffine([d.m]),
    cols,
    depth: k,
    groups: countAffine(d.batch),
    loadA: (a) => `${matrixBase('a_at', d.aBatch, d.batch, aMatrix)}\nreturn ${a}[a_at + ${aAt('row')}];`,
    loadB: (b) => `${matrixBase('b_at', d.bBatch, d.batch, bMatrix)}\nreturn ${b}[b_at + ${bAt}];`,
  };
}
