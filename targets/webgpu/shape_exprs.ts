/**
 * WGSL expressions for shapes whose entries may be the batch `N` (the
 * uniform `P.n`): element counts, row-major strides and index decomposition,
 * folded to literals where nothing depends on N.
 */
import type { Affine } from '../../compiler/plan/index.js';
import type { Dim, Shape } from '../../compiler/ir/types.js';

/** A dimension as a u32 expression. */
export function dimExpr(d: Dim): string {
  return d === 'N' ? 'P.n' : `${d}u`;
}

/** The product of dims as a u32 expression (`1u` for none). */
export function productExpr(dims: readonly Dim[]): string {
  let literal = 1;
  let batch = false;
  for (const d of dims) {
    if (d === 'N') batch = true;
    else literal *= d;
  }
  if (!batch) return `${literal}u`;
  return literal === 1 ? 'P.n' : `(P.n * ${literal}u)`;
}

/** The element count of a shape as a u32 expression. */
export function countExpr(shape: Shape): string {
  return productExpr(shape);
}

/** The element count affine in N ({base, perBatch}): what a grid is sized by. */
export function countAffine(shape: Shape): Affine {
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
