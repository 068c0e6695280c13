/**
 * Matmul of an activation A[..., K] by a constant B[K, F] through the SIMD
 * GEMM (gemm/microkernel.ts), B pre-packed into panels at build time; the
 * leading axes of A are the GEMM's rows. A `fused` epilogue kernel anchored
 * on such a matmul runs its elementwise body on the accumulators before they
 * are stored (gemm/epilogue.ts), so bias and activation cost no extra pass.
 * Epilogue operands (bias [F], scalars, a residual of the result's shape)
 * are read per (row, column); their addresses reach the GEMM function
 * through globals the kernel sets before calling it.
 * Not yet: transpose_a, a non-constant B, batched B.
 */
import type { Node, Value } from '../../../compiler/ir/graph.js';
import type { Tensor } from '../../../compiler/ir/tensor.js';
import type { Shape } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen, type Expr } from '../binaryen.js';
import { emitNodes } from '../elementwise.js';
import type { Getter } from '../func.js';
import type { Epilogue } from '../gemm/epilogue.js';
import { DEFAULT_TILE, emitGemm } from '../gemm/microkernel.js';
import { packB, panelLayout } from '../gemm/pack.js';
import { VecBuilder } from '../vec.js';
import { floatBytes } from '../weights.js';
import type { EmitContext, GraphFacts, KernelEmitter } from './context.js';
import { bodyUnsupported } from './elementwise.js';

/** The parts of a matmul kernel, with operand positions in the node's operand list. */
interface MatmulParts {
  anchor: Node;
  a: number;
  b: number;
  /** Elementwise nodes after the anchor (fused form only). */
  epilogue: Node[];
  /** Outer operand position of each body input (identity for a plain matmul). */
  operandOf: Map<number, number>;
}

function partsOf(node: Node): MatmulParts {
  if (!node.body) {
    return { anchor: node, a: 0, b: 1, epilogue: [], operandOf: new Map(node.inputs.map((v, i) => [v.id, i])) };
  }
  const body = node.body;
  const operandOf = new Map(body.inputs.map((v, i) => [v.id, i]));
  const anchor = body.nodes[0];
  const position = (v: Value): number => {
    const i = operandOf.get(v.id);
    if (i === undefined) throw new Error('the matmul anchor reads a value that is not a body input');
    return i;
  };
  return { anchor, a: position(anchor.inputs[0]), b: position(anchor.inputs[1]), epilogue: body.nodes.slice(1), operandOf };
}

/** How an epilogue operand of shape `shape` is read at (row, col) of the [rows, F] result: strides in elements. */
function epilogueStrides(shape: Shape, result: Shape): { row: number; col: number } | null {
  const rank = result.length;
  const padded: Shape = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const last = padded[rank - 1];
  const col = last === 1 && result[rank - 1] !== 1 ? 0 : 1;
  const lead = padded.slice(0, rank - 1);
  const resultLead = result.slice(0, rank - 1);
  if (lead.every((d) => d === 1)) return { row: 0, col };
  if (lead.every((d, i) => d === resultLead[i])) return { row: col === 1 ? (last as number) : 1, col };
  return null;
}

function bodyInputShape(node: Node, operand: number): Shape {
  return node.inputs[operand].type.shape;
}

function check(node: Node, facts: GraphFacts): string | null {
  const parts = partsOf(node);
  const { anchor } = parts;
  if (anchor.op !== OP.matmul) return `the wasm target does not support op '${anchor.op}' yet`;
  if (attrsOf(anchor, OP.matmul).transpose_a) return "the wasm target does not support op 'matmul' with transpose_a yet";
  const [aType, bType] = anchor.inputs.map((v) => v.type);
  if (aType.dtype !== 'f32') return "the wasm target does not support op 'matmul' on non-f32 values yet";
  if (bType.shape.length !== 2 || !facts.constant(node.inputs[parts.b])) {
    return "the wasm target does not support op 'matmul' with a non-constant or batched right operand yet";
  }
  if (aType.shape.slice(1).some((d) => d === 'N')) return "the wasm target supports 'matmul' with the batch N on the first axis only";
  const why = bodyUnsupported(parts.epilogue);
  if (why) return why;
  const result = anchor.outputs[0].type.shape;
  const computed = new Set(parts.epilogue.flatMap((n) => n.outputs.map((v) => v.id)).concat(anchor.outputs[0].id));
  for (const n of parts.epilogue) {
    for (const v of n.inputs) {
      if (computed.has(v.id)) continue;
      if (v.type.dtype !== 'f32') return `the wasm target does not support ${v.type.dtype} operands in a matmul epilogue yet`;
      if (!epilogueStrides(v.type.shape, result)) {
        return `the wasm target does not support a matmul epilogue operand of shape [${v.type.shape.join(',')}] yet`;
      }
    }
  }
  return null;
}

function weightOf(ctx: EmitContext, operand: number): Tensor {
  const t = ctx.constant(ctx.node.inputs[operand]);
  if (!t) throw new Error('matmul: the right operand is not a constant');
  return t;
}

/** B as row-major [K, F], transposed at build time when the op asks for it. */
function rowMajorB(t: Tensor, transposed: boolean): Float32Array {
  const data = Float32Array.from(t.data);
  if (!transposed) return data;
  const [f, k] = t.shape;
  const out = new Float32Array(k * f);
  for (let i = 0; i < f; i++) for (let j = 0; j < k; j++) out[j * f + i] = data[i * k + j];
  return out;
}

function emit(ctx: EmitContext): Expr {
  const { module: m, node } = ctx;
  const parts = partsOf(node);
  const { anchor } = parts;
  const transposeB = attrsOf(anchor, OP.matmul).transpose_b;
  const bTensor = weightOf(ctx, parts.b);
  const [k, f] = transposeB ? [bTensor.shape[1], bTensor.shape[0]] : [bTensor.shape[0], bTensor.shape[1]];
  const layout = panelLayout(k, f, DEFAULT_TILE.nr);
  // Keyed by the weight's value, so matmuls sharing a weight share its panels.
  const key = `gemm-panels:${node.inputs[parts.b].id}:${transposeB}`;
  const packedAt = ctx.weights.place(key, () => floatBytes(packB(rowMajorB(bTensor, transposeB), layout)));

  // Epilogue operands: every body input the epilogue reads, by its address global.
  const result = anchor.outputs[0].type.shape;
  const globals = new Map<number, string>();
  const setGlobals: Expr[] = [];
  for (const n of parts.epilogue) {
    for (const v of n.inputs) {
      const operand = parts.operandOf.get(v.id);
      if (operand === undefined || globals.has(v.id)) continue;
      const name = `${ctx.prefix}_operand${operand}`;
      m.addGlobal(name, binaryen.i32, true, m.i32.const(0));
      globals.set(v.id, name);
      setGlobals.push(m.global.set(name, ctx.operand(operand)()));
    }
  }
  const epilogue: Epilogue | undefined =
    parts.epilogue.length === 0
      ? undefined
      : (acc, site) => {
          const b = new VecBuilder(m, site.addLocal);
          const env = new Map<number, Getter>([[anchor.outputs[0].id, b.let(acc)]]);
          for (const [id, global] of globals) {
            const v = node.body?.inputs.find((x) => x.id === id) as Value;
            const strides = epilogueStrides(v.type.shape, result) as { row: number; col: number };
            let offset: Expr = m.i32.const(0);
            if (strides.row !== 0) offset = m.i32.mul(site.row(), m.i32.const(strides.row * 4));
            if (strides.col !== 0) offset = m.i32.add(offset, m.i32.shl(site.col(), m.i32.const(2)));
            const address = m.i32.add(m.global.get(global, binaryen.i32), offset);
            env.set(id, b.let(strides.col === 0 ? m.v128.load32_splat(0, 4, address) : m.v128.load(0, 4, address)));
          }
          emitNodes(b, parts.epilogue, env);
          const out = env.get(node.body?.outputs[0].value.id ?? -1);
          if (!out) throw new Error('matmul epilogue: the body result is not computed');
          return b.finish(out());
        };
  const gemmName = `${ctx.prefix}_gemm`;
  emitGemm(m, gemmName, { k, n: f, ...DEFAULT_TILE, relaxedSimd: ctx.relaxedSimd, epilogue });

  const aShape = bodyInputShape(node, parts.a);
  const rowsPerItem = aShape.slice(0, -1).reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);
  const batched = aShape.slice(0, -1).includes('N');
  const rows = batched ? m.i32.mul(ctx.batch(), m.i32.const(rowsPerItem)) : m.i32.const(rowsPerItem);
  const call = m.call(gemmName, [ctx.operand(parts.a)(), m.i32.const(packedAt), ctx.result(0)(), rows], binaryen.none);
  return m.block(null, [...setGlobals, call]);
}

export const matmulKernel: KernelEmitter = { unsupported: check, emit };
