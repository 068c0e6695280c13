/**
 * Straight-line SIMD code with named temporaries: `let` stores a value in a
 * fresh v128 local (so rules may use an argument several times), and
 * `finish` wraps the statements and the result into one block expression.
 * Locals come from the enclosing function (a FunctionBuilder, or the GEMM's
 * pool for epilogues); binaryen's optimizer coalesces them afterwards.
 */
import { binaryen, type Expr, type Module } from './binaryen.js';
import type { Getter } from './func.js';

/** The 16 bytes of a v128 constant with four equal lanes. */
function laneBytes(lanes: Float32Array | Int32Array): number[] {
  return Array.from(new Uint8Array(lanes.buffer, lanes.byteOffset, 16));
}

export class VecBuilder {
  private readonly stmts: Expr[] = [];

  constructor(
    readonly m: Module,
    private readonly addLocal: (type: binaryen.Type) => number,
  ) {}

  /** Evaluates `value` once into a local; the getter reads it back. */
  let(value: Expr): Getter {
    const index = this.addLocal(binaryen.v128);
    this.stmts.push(this.m.local.set(index, value));
    return () => this.m.local.get(index, binaryen.v128);
  }

  /** f32x4 with every lane `c`. */
  f32(c: number): Expr {
    return this.m.v128.const(laneBytes(new Float32Array(4).fill(c)));
  }

  /** i32x4 with every lane `c`. */
  i32(c: number): Expr {
    return this.m.v128.const(laneBytes(new Int32Array(4).fill(c)));
  }

  /** cond ? a : b lane-wise, for a mask `cond` (lanes all ones or all zeros). */
  select(cond: Expr, a: Expr, b: Expr): Expr {
    return this.m.v128.bitselect(a, b, cond);
  }

  /** Takes the statements emitted so far, leaving the builder empty. */
  drain(): Expr[] {
    return this.stmts.splice(0, this.stmts.length);
  }

  /** The statements so far, then `result`, as one v128 block; the builder is empty again. */
  finish(result: Expr): Expr {
    if (this.stmts.length === 0) return result;
    const block = this.m.block(null, [...this.stmts, result], binaryen.v128);
    this.stmts.length = 0;
    return block;
  }
}
