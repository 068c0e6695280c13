/**
 * depthwise_conv2d (plain, or the anchor of a `fused` epilogue kernel) as a
 * direct loop: for each output pixel, the C*M output channels 4 at a time
 * (f32x4), each accumulating its taps x[iy, ix, c] * w[ky, kx, c, m] where
 * output channel o = c*M + m. Taps outside the input (padding) are skipped.
 * The filter is packed at build time as [kh*kw, C*M rounded up to 4], zero
 * padded, so every weight load is a whole in-bounds vector. With M = 1 the
 * input channels are one vector load; otherwise each lane gathers its input
 * channel o/M. The epilogue runs on the accumulator before the store.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { filterWindow } from '../../../compiler/ops/conv/filter-window.js';
import { binaryen, type Expr } from '../binaryen.js';
import type { Getter } from '../func.js';
import { storeLanes } from '../memory.js';
import { VecBuilder } from '../vec.js';
import { floatBytes } from '../weights.js';
import { applyChannelEpilogue, channelEpilogueUnsupported } from './channel_epilogue.js';
import type { EmitContext, GraphFacts, KernelEmitter } from './context.js';
import { anchoredKernel, anchorOperand } from './gemm_epilogue.js';
import { countedLoop, pixelLoop } from './pixels.js';
import { chunks } from './rows.js';

const LAYOUT = '[kh,kw,C,M]';

function check(node: Node, facts: GraphFacts): string | null {
  const kernel = anchoredKernel(node);
  const { anchor } = kernel;
  if (anchor.op !== OP.depthwise_conv2d) return `the wasm target does not support op '${anchor.op}' yet`;
  const [x, w] = anchor.inputs.map((v) => v.type);
  if (x.shape.slice(1).includes('N')) return "the wasm target supports 'depthwise_conv2d' with the batch N on the first axis only";
  if (!facts.constant(node.inputs[anchorOperand(kernel, 1)]) || w.shape.includes('N')) {
    return "the wasm target does not support op 'depthwise_conv2d' with a non-constant filter yet";
  }
  return channelEpilogueUnsupported(kernel);
}

/** The filter [kh,kw,C,M] as rows of kh*kw taps, each C*M channels zero-padded to `rowLength`. */
function packFilter(data: ArrayLike<number>, taps: number, channels: number, rowLength: number): Float32Array {
  const out = new Float32Array(taps * rowLength);
  for (let t = 0; t < taps; t++) for (let o = 0; o < channels; o++) out[t * rowLength + o] = data[t * channels + o];
  return out;
}

function emit(ctx: EmitContext): Expr {
  const { module: m, fn } = ctx;
  const kernel = anchoredKernel(ctx.node);
  const { anchor } = kernel;
  const [xType, wType] = anchor.inputs.map((v) => v.type);
  const win = filterWindow(xType, wType, attrsOf(anchor, OP.depthwise_conv2d), LAYOUT);
  const [h, w, c] = xType.shape.slice(1) as number[];
  const mult = wType.shape[3] as number;
  const channels = c * mult;
  const rowLength = Math.ceil(channels / 4) * 4;
  const filter = ctx.constant(ctx.node.inputs[anchorOperand(kernel, 1)]);
  if (!filter) throw new Error('depthwise_conv2d: the filter is not a constant');
  const taps = win.kh * win.kw;
  const packedAt = ctx.weights.place(`depthwise:${ctx.node.inputs[anchorOperand(kernel, 1)].id}`, () =>
    floatBytes(packFilter(filter.data, taps, channels, rowLength)),
  );
  const x = ctx.operand(anchorOperand(kernel, 0));
  const out = ctx.result(0);

  const image = fn.local(binaryen.i32);
  const iy0 = fn.local(binaryen.i32);
  const ix0 = fn.local(binaryen.i32);
  const dst = fn.local(binaryen.i32);
  const pix = fn.local(binaryen.i32);
  const acc = fn.local(binaryen.v128);
  const lanePtr = [0, 1, 2, 3].map(() => fn.local(binaryen.i32));
  const b = new VecBuilder(m, (t) => fn.local(t));

  /** The f32x4 of input channels for output channels offset/4 .. offset/4+3 at pixel address `pix`. */
  const loadInput = (pix: Getter, offset: Getter): Expr => {
    if (mult === 1) return m.v128.load(0, 4, m.i32.add(pix(), offset()));
    const lane = (l: number): Expr => m.f32.load(0, 4, m.i32.add(fn.get(lanePtr[l]), pix()));
    let v = m.f32x4.splat(lane(0));
    for (let l = 1; l < 4; l++) v = m.f32x4.replace_lane(v, l, lane(l));
    return v;
  };
  /** Byte offsets of the input channel of each lane: ((offset/4 + l) / M) * 4. */
  const laneOffsets = (offset: Getter): Expr[] =>
    mult === 1
      ? []
      : lanePtr.map((p, l) =>
          fn.set(p, m.i32.shl(m.i32.div_u(m.i32.add(m.i32.shr_u(offset(), m.i32.const(2)), m.i32.const(l)), m.i32.const(mult)), m.i32.const(2))),
        );

  const tap = (offset: Getter, ky: Getter, kx: Getter): Expr => {
    const iy = m.i32.add(fn.get(iy0), m.i32.mul(ky(), m.i32.const(win.dilH)));
    const ix = (): Expr => m.i32.add(fn.get(ix0), m.i32.mul(kx(), m.i32.const(win.dilW)));
    const pixel = m.i32.add(fn.get(image), m.i32.mul(m.i32.add(m.i32.mul(iy, m.i32.const(w)), ix()), m.i32.const(c * 4)));
    const tapIndex = m.i32.add(m.i32.mul(ky(), m.i32.const(win.kw)), kx());
    const weight = m.v128.load(0, 16, m.i32.add(m.i32.add(m.i32.const(packedAt), m.i32.mul(tapIndex, m.i32.const(rowLength * 4))), offset()));
    // Unsigned compares reject negative rows / columns too.
    const product = m.f32x4.mul(loadInput(fn.getter(pix), offset), weight);
    return m.if(m.i32.lt_u(ix(), m.i32.const(w)), m.block(null, [fn.set(pix, pixel), fn.set(acc, m.f32x4.add(fn.get(acc), product))]));
  };

  const channelChunks = (index: Getter): Expr =>
    chunks(fn, channels, 'channels', (offset, lanes) => {
      const taps = countedLoop(fn, m.i32.const(0), m.i32.const(win.kh), (ky) => [
        m.if(
          m.i32.lt_u(m.i32.add(fn.get(iy0), m.i32.mul(ky(), m.i32.const(win.dilH))), m.i32.const(h)),
          countedLoop(fn, m.i32.const(0), m.i32.const(win.kw), (kx) => [tap(offset, ky, kx)]),
        ),
      ]);
      const value = b.let(applyChannelEpilogue(ctx, kernel, b, fn.get(acc), index, offset));
      const store = storeLanes(m, 'f32', () => m.i32.add(fn.get(dst), offset()), value, lanes);
      return [...laneOffsets(offset), fn.set(acc, b.f32(0)), taps, ...b.drain(), ...store];
    });

  return pixelLoop(fn, xType.shape[0], ctx.batch, win.outH, win.outW, (p) => [
    fn.set(image, m.i32.add(x(), m.i32.mul(p.n(), m.i32.const(h * w * c * 4)))),
    fn.set(iy0, m.i32.sub(m.i32.mul(p.oy(), m.i32.const(win.strideH)), m.i32.const(win.padTop))),
    fn.set(ix0, m.i32.sub(m.i32.mul(p.ox(), m.i32.const(win.strideW)), m.i32.const(win.padLeft))),
    fn.set(dst, m.i32.add(out(), m.i32.mul(p.index(), m.i32.const(channels * 4)))),
    channelChunks(p.index),
  ]);
}

export const depthwiseKernel: KernelEmitter = { unsupported: check, emit };
