/**
 * conv2d (the one convolution form: conv1d and conv2d_transpose arrive as
 * conv2d, see compiler/ops/conv/geometry.ts) against a constant filter, plain
 * or as the anchor of a `fused` epilogue kernel, through the SIMD GEMM with
 * the [kh,kw,C,F] filter packed at build time as a [kh*kw*C, F] matrix.
 * - A 1x1, stride-1, unpadded conv is one GEMM over the input as
 *   [N*H*W, C] rows.
 * - Otherwise, per image, blocks of output rows are unfolded into the scratch
 *   buffer (im2col.ts), one row of K = kh*kw*C floats per output pixel, and
 *   the GEMM writes the block's [rows*outW, F] slice of the result.
 * The epilogue (bias, activation, residual) runs on the accumulators in the
 * GEMM hook (gemm_epilogue.ts), so a fused conv writes its output once.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { convGeometry, isPointwise, type ConvGeometry } from '../../../compiler/ops/conv/geometry.js';
import { binaryen, type Expr } from '../binaryen.js';
import { DEFAULT_TILE, emitGemm } from '../gemm/microkernel.js';
import { packB, panelLayout } from '../gemm/pack.js';
import { floatBytes } from '../weights.js';
import type { EmitContext, GraphFacts, KernelEmitter } from './context.js';
import { anchoredKernel, anchorOperand, epilogueUnsupported, gemmEpilogue, type AnchoredKernel } from './gemm_epilogue.js';
import { emitIm2col } from './im2col.js';

/** The im2col block is sized to stay around this many bytes (cache-sized), but holds at least one output row. */
const BLOCK_BYTES = 128 * 1024;
const F32 = 4;

function check(node: Node, facts: GraphFacts): string | null {
  const kernel = anchoredKernel(node);
  const { anchor } = kernel;
  const [x, w] = anchor.inputs.map((v) => v.type);
  if (x.dtype !== 'f32' || w.dtype !== 'f32') return `the wasm target does not support op '${anchor.op}' on non-f32 values yet`;
  if (!facts.constant(node.inputs[anchorOperand(kernel, 1)])) {
    return `the wasm target does not support op '${anchor.op}' with a non-constant filter yet`;
  }
  if (x.shape.slice(1).some((d) => d === 'N')) return `the wasm target supports '${anchor.op}' with the batch N on the first axis only`;
  return epilogueUnsupported(kernel);
}

interface ConvPlan {
  kernel: AnchoredKernel;
  g: ConvGeometry;
  gemm: string;
  packedAt: number;
}

function plan(ctx: EmitContext): ConvPlan {
  const kernel = anchoredKernel(ctx.node);
  const [x, w] = kernel.anchor.inputs.map((v) => v.type);
  const g = convGeometry(x, w, attrsOf(kernel.anchor, OP.conv2d));
  const filterOperand = anchorOperand(kernel, 1);
  const filter = ctx.constant(ctx.node.inputs[filterOperand]);
  if (!filter) throw new Error(`${kernel.anchor.op}: the filter is not a constant`);
  const k = g.kh * g.kw * g.c;
  const layout = panelLayout(k, g.f, DEFAULT_TILE.nr);
  // Keyed by the filter's value, so convs sharing a filter share its panels.
  const key = `conv-panels:${ctx.node.inputs[filterOperand].id}`;
  const packedAt = ctx.weights.place(key, () => floatBytes(packB(Float32Array.from(filter.data), layout)));
  return { kernel, g, gemm: `${ctx.prefix}_gemm`, packedAt };
}

/** The number of images: the runtime batch, or the static leading dimension. */
function images(ctx: EmitContext, node: Node): Expr {
  const lead = node.inputs[0].type.shape[0];
  return lead === 'N' ? ctx.batch() : ctx.module.i32.const(lead);
}

function emit(ctx: EmitContext): Expr {
  const m = ctx.module;
  const { kernel, g, gemm, packedAt } = plan(ctx);
  const epilogue = gemmEpilogue(ctx, kernel);
  const k = g.kh * g.kw * g.c;
  emitGemm(m, gemm, { k, n: g.f, ...DEFAULT_TILE, relaxedSimd: ctx.relaxedSimd, epilogue: epilogue.hook });
  const x = ctx.operand(anchorOperand(kernel, 0));
  const i32 = (v: number): Expr => m.i32.const(v);

  if (isPointwise(g)) {
    const rows = m.i32.mul(images(ctx, kernel.anchor), i32(g.h * g.w));
    return m.block(null, [...epilogue.bind(() => i32(0)), m.call(gemm, [x(), i32(packedAt), ctx.result(0)(), rows], binaryen.none)]);
  }

  const fn = ctx.fn;
  const blockRows = Math.max(1, Math.min(g.outH, Math.floor(BLOCK_BYTES / (g.outW * k * F32))));
  const scratch = ctx.scratch(blockRows * g.outW * k * F32);
  const image = fn.local(binaryen.i32);
  const count = fn.local(binaryen.i32);
  const first = fn.local(binaryen.i32);
  const end = fn.local(binaryen.i32);
  const resultRow = fn.local(binaryen.i32);
  const get = (l: number): Expr => fn.get(l);

  const block = m.block(null, [
    fn.set(end, m.i32.add(get(first), i32(blockRows))),
    fn.set(end, m.select(m.i32.gt_s(get(end), i32(g.outH)), i32(g.outH), get(end))),
    emitIm2col({
      fn,
      g,
      image: () => m.i32.add(x(), m.i32.mul(get(image), i32(g.h * g.w * g.c * F32))),
      dst: scratch,
      firstRow: fn.getter(first),
      endRow: fn.getter(end),
      label: ctx.prefix,
    }),
    // Row of the [N*outH*outW, F] result where this block starts.
    fn.set(resultRow, m.i32.add(m.i32.mul(get(image), i32(g.outH * g.outW)), m.i32.mul(get(first), i32(g.outW)))),
    ...epilogue.bind(fn.getter(resultRow)),
    m.call(
      gemm,
      [
        scratch(),
        i32(packedAt),
        m.i32.add(ctx.result(0)(), m.i32.mul(get(resultRow), i32(g.f * F32))),
        m.i32.mul(m.i32.sub(get(end), get(first)), i32(g.outW)),
      ],
      binaryen.none,
    ),
    fn.set(first, get(end)),
  ]);
  const imageLoop = `${ctx.prefix}_image`;
  const blockLoop = `${ctx.prefix}_block`;
  return m.block(null, [
    fn.set(count, images(ctx, kernel.anchor)),
    fn.set(image, i32(0)),
    m.if(
      m.i32.gt_s(get(count), i32(0)),
      m.loop(
        imageLoop,
        m.block(null, [
          fn.set(first, i32(0)),
          m.loop(blockLoop, m.block(null, [block, m.br(blockLoop, m.i32.lt_s(get(first), i32(g.outH)))])),
          fn.set(image, m.i32.add(get(image), i32(1))),
          m.br(imageLoop, m.i32.lt_s(get(image), get(count))),
        ]),
      ),
    ),
  ]);
}

export const convKernel: KernelEmitter = { unsupported: check, emit };
