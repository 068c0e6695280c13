/**
 * conv2d as an implicit GEMM (the one convolution form: conv1d and
 * conv2d_transpose arrive as conv2d, see compiler/ops/conv/geometry.ts): a
 * row is an output pixel (n, oy, ox) of the NHWC result, a column an output
 * channel, and the depth runs over the filter taps and input channels
 * (ky, kx, c), so the [kh,kw,C,F] filter is B as it is stored. The A load
 * gathers the input pixel a tap sees, or 0 in the padding and, for an
 * input-dilated conv2d (a transposed one), between the input's pixels: the
 * tap's position on the dilated input must divide by the dilation.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { convGeometry, isPointwise, type ConvGeometry } from '../../../compiler/ops/conv/geometry.js';
import type { Affine } from '../../../compiler/plan/index.js';
import { countAffine } from '../shape_exprs.js';

export interface ConvGemm {
  rows: Affine;
  cols: number;
  depth: number;
  loadA(x: string): string;
  loadB(w: string): string;
}

/** The statements that find (n, oy, ox) of a row and (ky, kx, c) of a depth index. */
function coordinates(g: ConvGeometry): string {
  return [
    `let ox = row % ${g.outW}u;`,
    `let oy = (row / ${g.outW}u) % ${g.outH}u;`,
    `let n = row / ${g.outW * g.outH}u;`,
    `let c = k % ${g.c}u;`,
    `let kx = (k / ${g.c}u) % ${g.kw}u;`,
    `let ky = k / ${g.c * g.kw}u;`,
  ].join('\n');
}

/** Statements binding `name` (u32) to the input row / column a tap at dilated position `position` (i32) reads, or returning 0. */
function inputIndex(name: string, position: string, size: number, inDil: number): string[] {
  if (inDil === 1) return [`if (${position} < 0i || ${position} >= ${size}i) {`, '  return 0.0;', '}', `let ${name} = u32(${position});`];
  return [
    `if (${position} < 0i || ${position} % ${inDil}i != 0i || ${position} / ${inDil}i >= ${size}i) {`,
    '  return 0.0;',
    '}',
    `let ${name} = u32(${position}) / ${inDil}u;`,
  ];
}

function gather(g: ConvGeometry, x: string): string {
  return [
    coordinates(g),
    `let py = i32(oy * ${g.strideH}u + ky * ${g.dilH}u) - ${g.padTop}i;`,
    `let px = i32(ox * ${g.strideW}u + kx * ${g.dilW}u) - ${g.padLeft}i;`,
    ...inputIndex('iy', 'py', g.h, g.inDilH),
    ...inputIndex('ix', 'px', g.w, g.inDilW),
    `return ${x}[((n * ${g.h}u + iy) * ${g.w}u + ix) * ${g.c}u + c];`,
  ].join('\n');
}

export function convGemm(anchor: Node): ConvGemm {
  const [xType, wType] = anchor.inputs.map((v) => v.type);
  const g = convGeometry(xType, wType, attrsOf(anchor, OP.conv2d));
  const loadA = (x: string): string => (isPointwise(g) ? `return ${x}[row * ${g.c}u + k];` : gather(g, x));
  const loadB = (w: string): string => `return ${w}[k * ${g.f}u + col];`;
  return { rows: countAffine([xType.shape[0], g.outH, g.outW]), cols: g.f, depth: g.kh * g.kw * g.c, loadA, loadB };
}
