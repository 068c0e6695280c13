/**
 * max_pool2d / avg_pool2d over NHWC, one invocation per output element. The
 * window is clipped to the input (padding is never read): max starts from
 * -Inf and takes a value when it compares greater, and a NaN anywhere in the
 * window makes the result NaN (tested on the bits: WGSL may assume floats
 * are finite); avg divides by the number of real elements.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { poolGeometry } from '../../../compiler/ops/pool/geometry.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { countAffine, countExpr } from '../shape_exprs.js';
import type { GpuDispatch, GpuEmitContext, GpuKernelEmitter } from './context.js';
import { indent, outputWindow, WINDOW_LANES } from './window_pixels.js';

type Reducer = 'max' | 'avg';

const REDUCE: Record<Reducer, { init: string; step: string; finish: string }> = {
  // -Inf and NaN bit patterns go through variables: a constant expression may not be infinite or NaN.
  max: {
    init: 'var neg_inf_bits = 0xff800000u;\nvar acc = bitcast<f32>(neg_inf_bits);\nvar nan_bits = 0u;',
    step: 'if ((bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) {\n  nan_bits = 0x7fc00000u;\n}\nif (v > acc) {\n  acc = v;\n}',
    finish: 'select(acc, bitcast<f32>(nan_bits), nan_bits != 0u)',
  },
  avg: { init: 'var acc = 0.0;', step: 'acc += v;', finish: 'acc / f32((y1 - y0) * (x1 - x0))' },
};

function poolBody(node: Node, reducer: Reducer): string {
  const win = poolGeometry(node.inputs[0].type, attrsOf(node, OP.max_pool2d, OP.avg_pool2d));
  const { h, w } = win;
  const c = node.inputs[0].type.shape[3] as number;
  const r = REDUCE[reducer];
  const loops = [
    `let y0 = u32(max(iy0, 0i));`,
    `let y1 = u32(min(iy0 + ${win.kh}i, ${h}i));`,
    `let x0 = u32(max(ix0, 0i));`,
    `let x1 = u32(min(ix0 + ${win.kw}i, ${w}i));`,
    r.init,
    'for (var iy = y0; iy < y1; iy++) {',
    `  let row = (n * ${h}u + iy) * ${w}u;`,
    '  for (var ix = x0; ix < x1; ix++) {',
    `    let v = x[(row + ix) * ${c}u + ch];`,
    indent(indent(r.step)),
    '  }',
    '}',
    `y[gi] = ${r.finish};`,
  ].join('\n');
  return `if (gi < ${countExpr(node.outputs[0].type.shape)}) {\n${indent(`${outputWindow(win, c)}\n${loops}`)}\n}`;
}

function poolKernel(reducer: Reducer): GpuKernelEmitter {
  return {
    unsupported: () => null,
    emit(ctx: GpuEmitContext): GpuDispatch[] {
      const { node } = ctx;
      return [
        {
          label: ctx.label,
          bindings: [ctx.operand(0, 'x'), ctx.result(0, 'y')],
          shader: { workgroupSize: [WINDOW_LANES], body: poolBody(node, reducer) },
          grid: [{ ...countAffine(node.outputs[0].type.shape), per: WINDOW_LANES }],
        },
      ];
    },
  };
}

export const maxPoolKernel = poolKernel('max');
export const avgPoolKernel = poolKernel('avg');
