/**
 * The elementwise epilogue of a direct (non-GEMM) NHWC anchor such as
 * depthwise_conv2d, applied to a vector of 4 result channels of one output
 * pixel before it is stored. Seen as a [pixels, channels] matrix, every
 * other body input is read at (pixel, channel) with strides from its shape:
 * a bias [C] has pixel stride 0, a residual of the result's shape pixel
 * stride C, a scalar is splat. Operands are read straight from the kernel
 * function's parameters.
 */
import type { Value } from '../../../compiler/ir/graph.js';
import type { Shape } from '../../../compiler/ir/types.js';
import type { Expr } from '../binaryen.js';
import { emitNodes } from '../elementwise.js';
import type { Getter } from '../func.js';
import type { VecBuilder } from '../vec.js';
import type { EmitContext } from './context.js';
import { bodyUnsupported } from './elementwise.js';
import type { AnchoredKernel } from './gemm_epilogue.js';

/** Element strides of an operand of `shape` read at (pixel, channel) of `result`, or null when it is not readable so. */
function readStrides(shape: Shape, result: Shape): { pixel: number; channel: number } | null {
  const rank = result.length;
  if (shape.length > rank) return null;
  const padded: Shape = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const last = padded[rank - 1];
  if (last !== 1 && last !== result[rank - 1]) return null;
  const channel = last === 1 && result[rank - 1] !== 1 ? 0 : 1;
  const lead = padded.slice(0, rank - 1);
  if (lead.every((d) => d === 1)) return { pixel: 0, channel };
  if (lead.every((d, i) => d === result[i])) return { pixel: channel === 1 ? (last as number) : 1, channel };
  return null;
}

/** Body inputs the epilogue reads (everything not computed inside the kernel). */
function epilogueOperands(kernel: AnchoredKernel): Value[] {
  const computed = new Set(kernel.epilogue.flatMap((n) => n.outputs.map((v) => v.id)).concat(kernel.anchor.outputs[0].id));
  const seen = new Set<number>();
  return kernel.epilogue.flatMap((n) =>
    n.inputs.filter((v) => {
      if (computed.has(v.id) || seen.has(v.id)) return false;
      seen.add(v.id);
      return true;
    }),
  );
}

/** Why this epilogue cannot run on the channel vectors, or null. */
export function channelEpilogueUnsupported(kernel: AnchoredKernel): string | null {
  const why = bodyUnsupported(kernel.epilogue);
  if (why) return why;
  const { op } = kernel.anchor;
  const result = kernel.anchor.outputs[0].type.shape;
  for (const v of epilogueOperands(kernel)) {
    if (v.type.dtype !== 'f32') return `the wasm target does not support ${v.type.dtype} operands in a ${op} epilogue yet`;
    if (!readStrides(v.type.shape, result)) {
      return `the wasm target does not support a ${op} epilogue operand of shape [${v.type.shape.join(',')}] yet`;
    }
  }
  return null;
}

/**
 * The epilogue applied to `acc` (the anchor's f32x4 result at output pixel
 * `pixel`, channels starting `channelBytes` bytes into the pixel); returns
 * `acc` itself when there is no epilogue.
 */
export function applyChannelEpilogue(
  ctx: EmitContext,
  kernel: AnchoredKernel,
  b: VecBuilder,
  acc: Expr,
  pixel: Getter,
  channelBytes: Getter,
): Expr {
  if (kernel.epilogue.length === 0) return acc;
  const m = ctx.module;
  const result = kernel.anchor.outputs[0].type.shape;
  const env = new Map<number, Getter>([[kernel.anchor.outputs[0].id, b.let(acc)]]);
  for (const v of epilogueOperands(kernel)) {
    const operand = kernel.operandOf.get(v.id);
    const at = readStrides(v.type.shape, result);
    if (operand === undefined || !at) throw new Error(`${kernel.anchor.op} epilogue: operand %${v.id} is not readable per pixel and channel`);
    let address = ctx.operand(operand)();
    if (at.pixel !== 0) address = m.i32.add(address, m.i32.mul(pixel(), m.i32.const(at.pixel * 4)));
    if (at.channel !== 0) address = m.i32.add(address, channelBytes());
    env.set(v.id, b.let(at.channel === 0 ? m.v128.load32_splat(0, 4, address) : m.v128.load(0, 4, address)));
  }
  emitNodes(b, kernel.epilogue, env);
  const out = env.get(kernel.result.id);
  if (!out) throw new Error(`${kernel.anchor.op} epilogue: the body result is not computed`);
  return out();
}
