/**
 * The GEMM epilogue hook: code applied to each f32x4 accumulator just before
 * it is stored to C. The fusion passes' epilogue bodies (bias add, activation,
 * residual add) are emitted here, so a fused Dense/conv writes its final
 * output in one pass over C.
 */
import type { binaryen, Expr, Module } from '../binaryen.js';

/** Where an accumulator vector lands in C, for epilogues that read per-row or per-column data. */
export interface EpilogueSite {
  module: Module;
  /** i32: the output row of this vector. A fresh expression on every call. */
  row(): Expr;
  /**
   * i32: the output column of lane 0; lanes hold columns col..col+3. Lanes
   * past N in the last panel are padding: they are computed but never stored,
   * so per-column data read here must be padded to a multiple of 4 floats.
   */
  col(): Expr;
  /** A fresh local of the GEMM function, for epilogues that need temporaries. */
  addLocal(type: binaryen.Type): number;
}

/** Maps the accumulator (an f32x4 expression) to the value to store. */
export type Epilogue = (acc: Expr, site: EpilogueSite) => Expr;

/** Adds bias[col..col+3], read from a bias vector at byte address `biasPtr` (padded to a multiple of 4 floats). */
export function biasEpilogue(biasPtr: number): Epilogue {
  return (acc, site) => {
    const { module } = site;
    const address = module.i32.add(module.i32.const(biasPtr), module.i32.shl(site.col(), module.i32.const(2)));
    return module.f32x4.add(acc, module.v128.load(0, 4, address));
  };
}

/** max(x, 0) lane-wise. */
export const reluEpilogue: Epilogue = (acc, site) => {
  const { module } = site;
  return module.f32x4.max(acc, module.v128.const(new Array<number>(16).fill(0)));
};

/** Applies `first`, then `second`. */
export function chainEpilogues(first: Epilogue, second: Epilogue): Epilogue {
  return (acc, site) => second(first(acc, site), site);
}
