/**
 * The elementwise epilogue of a GEMM-backed anchor (a convolution) seen as a
 * [rows, F] matrix product: the anchor's result is the accumulator, and every
 * other body input is read at (row, col) with row and column strides derived
 * from its shape (a bias [F] has row stride 0, a residual of the result's
 * shape has row stride F). Operand addresses reach the GEMM function through
 * mutable globals; a kernel that calls the GEMM on a block of rows starting
 * at row r sets them to `operand + r * rowStride` first, so the GEMM's rows
 * stay block-relative.
 */
import type { Node, Value } from '../../../compiler/ir/graph.js';
import type { Shape } from '../../../compiler/ir/types.js';
import { binaryen, type Expr } from '../binaryen.js';
import { emitNodes } from '../elementwise.js';
import type { Getter } from '../func.js';
import type { Epilogue } from '../gemm/epilogue.js';
import { VecBuilder } from '../vec.js';
import type { EmitContext } from './context.js';
import { bodyUnsupported } from './elementwise.js';

/** A kernel's anchor node, its elementwise tail and where each body input comes from. */
export interface AnchoredKernel {
  anchor: Node;
  /** Elementwise nodes after the anchor (empty for a plain anchor op). */
  epilogue: Node[];
  /** Operand position (in the kernel node's operand list) of each value the anchor or epilogue reads. */
  operandOf: Map<number, number>;
  /** The value the kernel stores. */
  result: Value;
}

export function anchoredKernel(node: Node): AnchoredKernel {
  if (!node.body) {
    return { anchor: node, epilogue: [], operandOf: new Map(node.inputs.map((v, i) => [v.id, i])), result: node.outputs[0] };
  }
  const body = node.body;
  const out = body.outputs[0];
  if (!out) throw new Error('fused body returns nothing');
  return {
    anchor: body.nodes[0],
    epilogue: body.nodes.slice(1),
    operandOf: new Map(body.inputs.map((v, i) => [v.id, i])),
    result: out.value,
  };
}

/** The operand position of a value the anchor reads. */
export function anchorOperand(kernel: AnchoredKernel, input: number): number {
  const i = kernel.operandOf.get(kernel.anchor.inputs[input].id);
  if (i === undefined) throw new Error(`the ${kernel.anchor.op} anchor reads a value that is not a kernel operand`);
  return i;
}

/** Element strides of an epilogue operand of `shape` read at (row, col) of the [rows, F] result `result`. */
function strides(shape: Shape, result: Shape): { row: number; col: number } | null {
  const rank = result.length;
  if (shape.length > rank) return null;
  const padded: Shape = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const last = padded[rank - 1];
  if (last !== result[rank - 1] && last !== 1) return null;
  const col = last === 1 && result[rank - 1] !== 1 ? 0 : 1;
  const lead = padded.slice(0, rank - 1);
  if (lead.every((d) => d === 1)) return { row: 0, col };
  if (lead.every((d, i) => d === result[i])) return { row: col === 1 ? (last as number) : 1, col };
  return null;
}

/** Operands the epilogue reads (not computed inside the kernel). */
function epilogueInputs(kernel: AnchoredKernel): Value[] {
  const computed = new Set(kernel.epilogue.flatMap((n) => n.outputs.map((v) => v.id)).concat(kernel.anchor.outputs[0].id));
  const seen = new Set<number>();
  const out: Value[] = [];
  for (const n of kernel.epilogue) {
    for (const v of n.inputs) {
      if (computed.has(v.id) || seen.has(v.id)) continue;
      seen.add(v.id);
      out.push(v);
    }
  }
  return out;
}

/** Why this epilogue cannot run in the GEMM hook, or null. */
export function epilogueUnsupported(kernel: AnchoredKernel): string | null {
  const why = bodyUnsupported(kernel.epilogue);
  if (why) return why;
  const op = kernel.anchor.op;
  const result = kernel.anchor.outputs[0].type.shape;
  for (const v of epilogueInputs(kernel)) {
    if (v.type.dtype !== 'f32') return `the wasm target does not support ${v.type.dtype} operands in a ${op} epilogue yet`;
    if (!strides(v.type.shape, result)) {
      return `the wasm target does not support a ${op} epilogue operand of shape [${v.type.shape.join(',')}] yet`;
    }
  }
  return null;
}

export interface GemmEpilogue {
  /** The hook for emitGemm (undefined when there is no epilogue). */
  hook: Epilogue | undefined;
  /** Sets the operand globals for a GEMM call whose row 0 is result row `firstRow` (an i32 expression factory). */
  bind(firstRow: Getter): Expr[];
}

/** Builds the GEMM hook of a kernel's epilogue and the globals it reads. */
export function gemmEpilogue(ctx: EmitContext, kernel: AnchoredKernel): GemmEpilogue {
  const m = ctx.module;
  const result = kernel.anchor.outputs[0].type.shape;
  const operands = epilogueInputs(kernel).map((v) => {
    const operand = kernel.operandOf.get(v.id);
    if (operand === undefined) throw new Error('an epilogue operand is not a kernel operand');
    const at = strides(v.type.shape, result);
    if (!at) throw new Error(`epilogue operand of shape [${v.type.shape.join(',')}] is not readable per row and column`);
    const global = `${ctx.prefix}_operand${operand}`;
    m.addGlobal(global, binaryen.i32, true, m.i32.const(0));
    return { value: v, operand, at, global };
  });
  const hook: Epilogue | undefined =
    kernel.epilogue.length === 0
      ? undefined
      : (acc, site) => {
          const b = new VecBuilder(m, site.addLocal);
          const env = new Map<number, Getter>([[kernel.anchor.outputs[0].id, b.let(acc)]]);
          for (const { value, at, global } of operands) {
            let offset: Expr = m.i32.const(0);
            if (at.row !== 0) offset = m.i32.mul(site.row(), m.i32.const(at.row * 4));
            if (at.col !== 0) offset = m.i32.add(offset, m.i32.shl(site.col(), m.i32.const(2)));
            const address = m.i32.add(m.global.get(global, binaryen.i32), offset);
            env.set(value.id, b.let(at.col === 0 ? m.v128.load32_splat(0, 4, address) : m.v128.load(0, 4, address)));
          }
          emitNodes(b, kernel.epilogue, env);
          const out = env.get(kernel.result.id);
          if (!out) throw new Error(`${kernel.anchor.op} epilogue: the body result is not computed`);
          return b.finish(out());
        };
  const bind = (firstRow: Getter): Expr[] =>
    operands.map(({ operand, at, global }) => {
      const base = ctx.operand(operand)();
      const address = at.row === 0 ? base : m.i32.add(base, m.i32.mul(firstRow(), m.i32.const(at.row * 4)));
      return m.global.set(global, address);
    });
  return { hook, bind };
}
