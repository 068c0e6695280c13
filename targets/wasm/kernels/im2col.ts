/**
 * Emits the im2col step of a convolution: for each output pixel of a block of
 * output rows, one row of K = kh*kw*C floats holding the input window (taps in
 * (ky, kx, c) order, zeros where the window hangs over the padding or falls
 * between the pixels of a dilated input), written consecutively to a scratch
 * buffer that the GEMM then reads as its A matrix.
 * Tap bounds that hold for every output row/column are decided at build time,
 * so a `valid` conv copies without checks; with no dilation the in-range taps
 * of one window row are one contiguous `memory.copy`.
 */
import { binaryen, type Expr } from '../binaryen.js';
import type { FunctionBuilder, Getter } from '../func.js';
import type { ConvGeometry } from '../../../compiler/ops/conv/geometry.js';

const F32 = 4;

/** Whether tap position `offset + o * stride` (o in [0, count)) lands on an input pixel: always, never, or only sometimes. */
function tapRange(offset: number, stride: number, count: number, size: number, inDil: number): 'always' | 'never' | 'check' {
  const first = offset;
  const last = offset + (count - 1) * stride;
  const end = (size - 1) * inDil;
  if (last < 0 || first > end) return 'never';
  const aligned = inDil === 1 || (offset % inDil === 0 && stride % inDil === 0);
  const neverAligned = inDil > 1 && stride % inDil === 0 && ((offset % inDil) + inDil) % inDil !== 0;
  if (neverAligned) return 'never';
  return first >= 0 && last <= end && aligned ? 'always' : 'check';
}

export interface Im2colArgs {
  fn: FunctionBuilder;
  g: ConvGeometry;
  /** Address of the current image's input [h, w, c]. */
  image: Getter;
  /** The scratch buffer: rows of kh*kw*c floats. */
  dst: Getter;
  /** First output row of the block and the row past its end (i32). */
  firstRow: Getter;
  endRow: Getter;
  /** A prefix for loop labels. */
  label: string;
}

/** The im2col rows of output rows [firstRow, endRow), every output column. */
export function emitIm2col(a: Im2colArgs): Expr {
  const { fn, g } = a;
  const m = fn.module;
  const i32 = (v: number): Expr => m.i32.const(v);
  const rowBytes = g.c * F32;
  const kBytes = g.kh * g.kw * rowBytes;
  const oy = fn.local(binaryen.i32);
  const ox = fn.local(binaryen.i32);
  const out = fn.local(binaryen.i32);
  const py = fn.local(binaryen.i32);
  const px = fn.local(binaryen.i32);
  const src = fn.local(binaryen.i32);
  const lo = fn.local(binaryen.i32);
  const hi = fn.local(binaryen.i32);
  const get = (l: number): Expr => fn.get(l);

  /** i32: whether window position `p` (local) lands on an input pixel along an axis of `size`, dilation `inDil`. */
  const onPixel = (p: number, size: number, inDil: number): Expr => {
    const inside = m.i32.le_u(get(p), i32((size - 1) * inDil));
    return inDil === 1 ? inside : m.i32.and(inside, m.i32.eqz(m.i32.rem_u(get(p), i32(inDil))));
  };
  const pixel = (p: number, inDil: number): Expr => (inDil === 1 ? get(p) : m.i32.div_u(get(p), i32(inDil)));
  const zero = (at: number, bytes: Expr): Expr => m.memory.fill(m.i32.add(get(out), i32(at)), i32(0), bytes);

  /** One window row (fixed ky) of the current output pixel, the input row already in `src`. */
  const windowRow = (ky: number): Expr[] => {
    const at = ky * g.kw * rowBytes;
    const offset = -g.padLeft;
    if (g.dilW === 1 && g.inDilW === 1) {
      const range = tapRange(offset, g.strideW, g.outW, g.w - g.kw + 1, 1);
      // px = ox*strideW - padLeft is the first tap's column; taps [lo, hi) are on the input.
      const setPx = fn.set(px, m.i32.add(m.i32.mul(get(ox), i32(g.strideW)), i32(offset)));
      const from = (kx: Expr): Expr => m.i32.add(get(src), m.i32.mul(m.i32.add(get(px), kx), i32(rowBytes)));
      if (range === 'always') {
        return [setPx, m.memory.copy(m.i32.add(get(out), i32(at)), from(i32(0)), i32(g.kw * rowBytes))];
      }
      const clamp = (v: Expr): Expr => {
        const low = fn.local(binaryen.i32);
        return m.block(null, [
          fn.set(low, v),
          fn.set(low, m.select(m.i32.lt_s(get(low), i32(0)), i32(0), get(low))),
          m.select(m.i32.gt_s(get(low), i32(g.kw)), i32(g.kw), get(low)),
        ], binaryen.i32);
      };
      return [
        setPx,
        fn.set(lo, clamp(m.i32.sub(i32(0), get(px)))),
        fn.set(hi, clamp(m.i32.sub(i32(g.w), get(px)))),
        fn.set(hi, m.select(m.i32.lt_s(get(hi), get(lo)), get(lo), get(hi))),
        zero(at, m.i32.mul(get(lo), i32(rowBytes))),
        m.memory.copy(
          m.i32.add(m.i32.add(get(out), i32(at)), m.i32.mul(get(lo), i32(rowBytes))),
          from(get(lo)),
          m.i32.mul(m.i32.sub(get(hi), get(lo)), i32(rowBytes)),
        ),
        m.memory.fill(
          m.i32.add(m.i32.add(get(out), i32(at)), m.i32.mul(get(hi), i32(rowBytes))),
          i32(0),
          m.i32.mul(m.i32.sub(i32(g.kw), get(hi)), i32(rowBytes)),
        ),
      ];
    }
    const taps: Expr[] = [];
    for (let kx = 0; kx < g.kw; kx++) {
      const tapAt = at + kx * rowBytes;
      const tapOffset = offset + kx * g.dilW;
      const range = tapRange(tapOffset, g.strideW, g.outW, g.w, g.inDilW);
      if (range === 'never') {
        taps.push(zero(tapAt, i32(rowBytes)));
        continue;
      }
      const copy = m.memory.copy(m.i32.add(get(out), i32(tapAt)), m.i32.add(get(src), m.i32.mul(pixel(px, g.inDilW), i32(rowBytes))), i32(rowBytes));
      taps.push(fn.set(px, m.i32.add(m.i32.mul(get(ox), i32(g.strideW)), i32(tapOffset))));
      taps.push(range === 'always' ? copy : m.if(onPixel(px, g.w, g.inDilW), copy, zero(tapAt, i32(rowBytes))));
    }
    return taps;
  };

  const pixelRow: Expr[] = [];
  for (let ky = 0; ky < g.kh; ky++) {
    const tapOffset = -g.padTop + ky * g.dilH;
    const range = tapRange(tapOffset, g.strideH, g.outH, g.h, g.inDilH);
    const at = ky * g.kw * rowBytes;
    if (range === 'never') {
      pixelRow.push(zero(at, i32(g.kw * rowBytes)));
      continue;
    }
    const setPy = fn.set(py, m.i32.add(m.i32.mul(get(oy), i32(g.strideH)), i32(tapOffset)));
    const setSrc = fn.set(src, m.i32.add(a.image(), m.i32.mul(pixel(py, g.inDilH), i32(g.w * rowBytes))));
    const row = m.block(null, [setSrc, ...windowRow(ky)]);
    pixelRow.push(setPy, range === 'always' ? row : m.if(onPixel(py, g.h, g.inDilH), row, zero(at, i32(g.kw * rowBytes))));
  }

  const cols = `${a.label}_ox`;
  const rows = `${a.label}_oy`;
  return m.block(null, [
    fn.set(out, a.dst()),
    fn.set(oy, a.firstRow()),
    m.loop(
      rows,
      m.block(null, [
        fn.set(ox, i32(0)),
        m.loop(
          cols,
          m.block(null, [
            ...pixelRow,
            fn.set(out, m.i32.add(get(out), i32(kBytes))),
            fn.set(ox, m.i32.add(get(ox), i32(1))),
            m.br(cols, m.i32.lt_s(get(ox), i32(g.outW))),
          ]),
        ),
        fn.set(oy, m.i32.add(get(oy), i32(1))),
        m.br(rows, m.i32.lt_s(get(oy), a.endRow())),
      ]),
    ),
  ]);
}
