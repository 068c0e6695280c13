/**
 * WGSL expressions for quantities affine in the batch `N` (the uniform
 * `P.n`) and for shapes whose entries may be N: element counts, row-major
 * strides and index decomposition, folded to literals where nothing depends on N.
 */
import type { Affine } from '../../compiler/plan/index.js';
import type { Dim, Shape } from '../../compiler/ir/types.js';

/** A dimension as a u32 expression. */
export function dimExpr(d: Dim): string {
  return d === 'N' ? 'P.n' : `${d}u`;
}

/** `base + perBatch * N` as a u32 expression: a literal when it does not depend on N, parenthesized when it is a sum or product. */
export function affineExpr(a: Affine): string {
  if (a.perBatch === 0) return `${a.base}u`;
  const scaled = a.perBatch === 1 ? 'P.n' : `P.n * ${a.perBatch}u`;
  if (a.base === 0) return a.perBatch === 1 ? scaled : `(${scaled})`;
  return `(${a.base}u + ${scaled})`;
}

/** The product of dims as a u32 expression (`1u` for none). */
export function productExpr(dims: readonly Dim[]): string {
  return affineExpr(countAffine(dims));
}

/** The element count of a shape as a u32 expression. */
export function countExpr(shape: Shape): string {
  return productExpr(shape);
}

/** The element count affine in N ({base, perBatch}): what a grid is sized by. */
export function countAffine(shape: readonly Dim[]): Affine {
  let literal = 1;
  let batch = false;
  for (const d of shape) {
    if (d === 'N') batch = true;
    else literal *= d;
  }
  return batch ? { base: 0, perBatch: literal } : { base: literal, perBatch: 0 };
}

/** Row-major strides of a shape as u32 expressions. */
export function strideExprs(shape: Shape): string[] {
  return shape.map((_, axis) => productExpr(shape.slice(axis + 1)));
}

/**
 * Statements that split the linear index `index` of `shape` into one
 * `let <prefix><axis>: u32` per axis (the leading axis needs no modulo).
 */
export function decomposeIndex(shape: Shape, index: string, prefix: string): string {
  const strides = strideExprs(shape);
  return shape
    .map((d, axis) => {
      const quotient = strides[axis] === '1u' ? index : `(${index} / ${strides[axis]})`;
      const value = axis === 0 ? quotient : `${quotient} % ${dimExpr(d)}`;
      return `let ${prefix}${axis}: u32 = ${value};`;
    })
    .join('\n');
}

/** The linear index of coordinates (u32 expressions, one per axis) in `shape`. */
export function linearIndex(shape: Shape, coords: readonly string[]): string {
  const strides = strideExprs(shape);
  const terms = coords.map((c, axis) => (strides[axis] === '1u' ? c : `${c} * ${strides[axis]}`));
  return terms.length === 0 ? '0u' : terms.join(' + ');
}

/**
 * The linear index in `operand` of the element that NumPy broadcasting reads
 * for linear index `index` of `target` (the operand's shape broadcasts to it).
 * Runs of axes that the operand keeps, or broadcasts, are merged, so the
 * common cases stay one operation: same shape -> `index`, a trailing
 * [F] -> `index % F`, a scalar -> `0u`.
 */
export function broadcastIndex(operand: Shape, target: Shape, index: string): string {
  const at = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(index) ? index : `(${index})`;
  const padded: Dim[] = [...Array<Dim>(target.length - operand.length).fill(1), ...operand];
  // Axes of size 1 in the target move nothing; the rest are kept (true) or broadcast (false) by the operand.
  const axes = target.flatMap((d, axis) => (d === 1 ? [] : [{ dim: d, kept: padded[axis] !== 1 }]));
  const runs: { dims: Dim[]; kept: boolean }[] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last.kept === a.kept) last.dims.push(a.dim);
    else runs.push({ dims: [a.dim], kept: a.kept });
  }
  const terms = runs.flatMap((run, r) => {
    if (!run.kept) return [];
    const later = runs.slice(r + 1);
    const targetStride = productExpr(later.flatMap((l) => l.dims));
    const operandStride = productExpr(later.flatMap((l) => (l.kept ? l.dims : [])));
    const quotient = targetStride === '1u' ? at : `(${at} / ${targetStride})`;
    const coord = r === 0 ? quotient : `(${quotient} % ${productExpr(run.dims)})`;
    return [operandStride === '1u' ? coord : `${coord} * ${operandStride}`];
  });
  return terms.length === 0 ? '0u' : terms.join(' + ');
}
