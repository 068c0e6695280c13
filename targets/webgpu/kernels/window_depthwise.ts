/**
 * depthwise_conv2d (plain, or the anchor of a `fused` epilogue kernel), one
 * invocation per output element: output channel o = c*M + m sums its taps
 * x[n, iy, ix, c] * w[ky, kx, c, m] in f32, skipping taps in the padding. The
 * filter [kh,kw,C,M] is read as it is: flat, tap t of channel o sits at
 * t*C*M + o, so neighbouring invocations read neighbouring filter words.
 * A fused kernel applies its elementwise epilogue to the sum before the store.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { filterWindow } from '../../../compiler/ops/conv/filter-window.js';
import { epilogueCode, epilogueUnsupported } from '../epilogue.js';
import { countAffine, countExpr } from '../shape_exprs.js';
import type { GpuBinding, GpuDispatch, GpuEmitContext, GpuKernelEmitter } from './context.js';
import { indent, outputWindow, WINDOW_LANES } from './window_pixels.js';

const EPILOGUE_PREFIX = 'ep_';

/** The depthwise node a kernel computes: the node itself, or the anchor of its fused body. */
function anchorOf(node: Node): Node {
  return node.body ? node.body.nodes[0] : node;
}

/** The kernel node's operand position of the anchor's operand `i` (a fused body's inputs are its operands). */
function anchorOperand(node: Node, i: number): number {
  if (!node.body) return i;
  const id = anchorOf(node).inputs[i].id;
  const at = node.body.inputs.findIndex((v) => v.id === id);
  if (at < 0) throw new Error(`${node.op}: the depthwise_conv2d anchor reads a value that is not a kernel operand`);
  return at;
}

/** A plain depthwise node always compiles; a fused one as far as its epilogue does. */
function unsupported(node: Node): string | null {
  return node.body ? epilogueUnsupported(node) : null;
}

function depthwiseBody(anchor: Node, store: string): string {
  const [xType, wType] = anchor.inputs.map((v) => v.type);
  const win = filterWindow(xType, wType, attrsOf(anchor, OP.depthwise_conv2d), '[kh,kw,C,M]');
  const [, h, w, c] = xType.shape as number[];
  const mult = wType.shape[3] as number;
  const channels = c * mult;
  const taps = [
    mult === 1 ? 'let c = ch;' : `let c = ch / ${mult}u;`,
    'var acc = 0.0;',
    `for (var ky = 0u; ky < ${win.kh}u; ky++) {`,
    `  let iy = iy0 + i32(ky * ${win.dilH}u);`,
    `  if (iy >= 0i && iy < ${h}i) {`,
    `    let row = (n * ${h}u + u32(iy)) * ${w}u;`,
    `    for (var kx = 0u; kx < ${win.kw}u; kx++) {`,
    `      let ix = ix0 + i32(kx * ${win.dilW}u);`,
    `      if (ix >= 0i && ix < ${w}i) {`,
    `        acc += x[(row + u32(ix)) * ${c}u + c] * filt[(ky * ${win.kw}u + kx) * ${channels}u + ch];`,
    '      }',
    '    }',
    '  }',
    '}',
    `y[gi] = ${store};`,
  ].join('\n');
  return `if (gi < ${countExpr(anchor.outputs[0].type.shape)}) {\n${indent(`${outputWindow(win, channels)}\n${taps}`)}\n}`;
}

function emit(ctx: GpuEmitContext): GpuDispatch[] {
  const { node } = ctx;
  const anchor = anchorOf(node);
  const bindings: GpuBinding[] = [ctx.operand(anchorOperand(node, 0), 'x'), ctx.operand(anchorOperand(node, 1), 'filt'), ctx.result(0, 'y')];
  const declarations: string[] = [];
  let store = 'acc';
  if (node.body) {
    const epilogue = epilogueCode(ctx, EPILOGUE_PREFIX);
    bindings.push(...epilogue.bindings);
    declarations.push(epilogue.declaration);
    store = `${EPILOGUE_PREFIX}apply(acc, gi)`;
  }
  return [
    {
      label: ctx.label,
      bindings,
      shader: { workgroupSize: [WINDOW_LANES], declarations, body: depthwiseBody(anchor, store) },
      grid: [{ ...countAffine(anchor.outputs[0].type.shape), per: WINDOW_LANES }],
    },
  ];
}

export const depthwiseKernel: GpuKernelEmitter = { unsupported, emit };
