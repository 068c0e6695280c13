/**
 * conv2d, conv1d and conv2d_transpose as implicit GEMMs: a row is an output
 * pixel (n, oy, ox) of the NHWC result, a column an output channel, and the
 * depth runs over the filter taps and input channels (ky, kx, c), so the
 * [kh,kw,C,F] filter is B as it is stored. The A load gathers the input
 * pixel a tap sees, or 0 in the padding. conv1d is conv2d over a height of 1
 * (causal padding is left padding). conv2d_transpose gathers too: output
 * position p (counted before the crop) takes tap k from input pixel
 * (p - k) / stride when that divides exactly; its [kh,kw,F,C] filter is read
 * with the channel axes swapped.
 */
import { attr } from '../../../compiler/ir/attrs.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { filterWindow } from '../../../compiler/ops/conv/filter-window.js';
import { axisWindow } from '../../../compiler/ops/conv/window.js';
import type { Affine } from '../../../compiler/plan/index.js';
import { countAffine } from '../shape_exprs.js';

interface ConvWindow {
  h: number;
  w: number;
  c: number;
  f: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  /** conv: padding before the input; conv2d_transpose: positions cropped from the start of the full result. */
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  transposed: boolean;
}

const staticDims = (node: Node, i: number): number[] => node.inputs[i].type.shape.map((d) => (typeof d === 'number' ? d : 0));

function conv1dWindow(node: Node): ConvWindow {
  const [, w, c] = staticDims(node, 0);
  const [k, , f] = staticDims(node, 1);
  const stride = attr.int(node.attrs, 'stride');
  const dilation = attr.int(node.attrs, 'dilation');
  const padding = attr.string(node.attrs, 'padding');
  const axis =
    padding === 'causal'
      ? axisWindow('width', w, k, stride, dilation, 'explicit', [(k - 1) * dilation, 0])
      : axisWindow('width', w, k, stride, dilation, padding, attr.ints(node.attrs, 'pads'));
  return { h: 1, w, c, f, kh: 1, kw: k, strideH: 1, strideW: stride, dilH: 1, dilW: dilation, padTop: 0, padLeft: axis.before, outH: 1, outW: axis.out, transposed: false };
}

function transposeWindow(node: Node): ConvWindow {
  const [, h, w, c] = staticDims(node, 0);
  const [kh, kw, f] = staticDims(node, 1);
  const [strideH, strideW] = attr.ints(node.attrs, 'strides');
  const same = attr.string(node.attrs, 'padding') === 'same';
  const axis = (size: number, k: number, s: number): { out: number; crop: number } =>
    same ? { out: size * s, crop: Math.floor(Math.max(k - s, 0) / 2) } : { out: (size - 1) * s + k, crop: 0 };
  const rows = axis(h, kh, strideH);
  const cols = axis(w, kw, strideW);
  return { h, w, c, f, kh, kw, strideH, strideW, dilH: 1, dilW: 1, padTop: rows.crop, padLeft: cols.crop, outH: rows.out, outW: cols.out, transposed: true };
}

function convWindow(node: Node): ConvWindow {
  if (node.op === 'conv1d') return conv1dWindow(node);
  if (node.op === 'conv2d_transpose') return transposeWindow(node);
  const [xType, wType] = node.inputs.map((v) => v.type);
  const win = filterWindow(xType, wType, node.attrs, '[kh,kw,C,F]');
  const [, h, w, c] = staticDims(node, 0);
  return { ...win, h, w, c, f: staticDims(node, 1)[3], transposed: false };
}

export interface ConvGemm {
  rows: Affine;
  cols: number;
  depth: number;
  loadA(x: string): string;
  loadB(w: string): string;
}

/** A 1x1, stride-1, unpadded conv reads its input rows as the GEMM's A directly. */
function isPointwise(g: ConvWindow): boolean {
  return !g.transposed && g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.outH === g.h && g.outW === g.w && g.padTop === 0 && g.padLeft === 0;
}

/** The statements that find (n, oy, ox) of a row and (ky, kx, c) of a depth index. */
function coordinates(g: ConvWindow): string {
  return [
    `let ox = row % ${g.outW}u;`,
    `let oy = (row / ${g.outW}u) % ${g.outH}u;`,
    `let n = row / ${g.outW * g.outH}u;`,
    `let c = k % ${g.c}u;`,
    `let kx = (k / ${g.c}u) % ${g.kw}u;`,
    `let ky = k / ${g.c * g.kw}u;`,
  ].join('\n');
}

function gatherConv(g: ConvWindow, x: string): string {
  return [
    coordinates(g),
    `let iy = i32(oy * ${g.strideH}u + ky * ${g.dilH}u) - ${g.padTop}i;`,
    `let ix = i32(ox * ${g.strideW}u + kx * ${g.dilW}u) - ${g.padLeft}i;`,
    `if (iy < 0i || iy >= ${g.h}i || ix < 0i || ix >= ${g.w}i) {`,
    `  return 0.0;`,
    `}`,
    `return ${x}[((n * ${g.h}u + u32(iy)) * ${g.w}u + u32(ix)) * ${g.c}u + c];`,
  ].join('\n');
}

function gatherTransposed(g: ConvWindow, x: string): string {
  return [
    coordinates(g),
    `let py = i32(oy + ${g.padTop}u) - i32(ky);`,
    `let px = i32(ox + ${g.padLeft}u) - i32(kx);`,
    `if (py < 0i || px < 0i || py % ${g.strideH}i != 0i || px % ${g.strideW}i != 0i) {`,
    `  return 0.0;`,
    `}`,
    `let iy = u32(py) / ${g.strideH}u;`,
    `let ix = u32(px) / ${g.strideW}u;`,
    `if (iy >= ${g.h}u || ix >= ${g.w}u) {`,
    `  return 0.0;`,
    `}`,
    `return ${x}[((n * ${g.h}u + iy) * ${g.w}u + ix) * ${g.c}u + c];`,
  ].join('\n');
}

export function convGemm(anchor: Node): ConvGemm {
  const g = convWindow(anchor);
  const batch = anchor.inputs[0].type.shape[0];
  const loadA = (x: string): string => {
    if (isPointwise(g)) return `return ${x}[row * ${g.c}u + k];`;
    return g.transposed ? gatherTransposed(g, x) : gatherConv(g, x);
  };
  // conv2d_transpose's filter is [kh,kw,F,C]: depth index (tap, c) reads w[tap][col][c].
  const loadB = (w: string): string =>
    g.transposed ? `return ${w}[((k / ${g.c}u) * ${g.f}u + col) * ${g.c}u + k % ${g.c}u];` : `return ${w}[k * ${g.f}u + col];`;
  return { rows: countAffine([batch, g.outH, g.outW]), cols: g.f, depth: g.kh * g.kw * g.c, loadA, loadB };
}
