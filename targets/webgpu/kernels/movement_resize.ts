/**
 * resize_nearest / resize_bilinear over NHWC f32. The source rows and columns
 * (and bilinear weights) depend only on the static sizes and attributes, so
 * they are computed here by the reference's own axis functions and embedded
 * as constant tables: the shader picks exactly the reference's neighbours.
 */
import { linearAxis, nearestAxis } from '../../../compiler/ops/resize.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { countAffine, countExpr, decomposeIndex, linearIndex } from '../shape_exprs.js';
import type { GpuKernelEmitter } from './context.js';
import { boxCopyDispatch } from './movement_box.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';

const LANES = 64;

function u32Table(name: string, values: ArrayLike<number>): string {
  return `const ${name} = array<u32, ${values.length}>(${Array.from(values, (v) => `${v}u`).join(', ')});`;
}

function f32Table(name: string, values: ArrayLike<number>): string {
  return `const ${name} = array<f32, ${values.length}>(${Array.from(values, (v) => `${Math.fround(v)}f`).join(', ')});`;
}

/** Static input height and width, output height and width (the op requires static H and W). */
function sizes(node: Node): { h: number; w: number; oh: number; ow: number } {
  const [, h, w] = node.inputs[0].type.shape;
  const [, oh, ow] = node.outputs[0].type.shape;
  return { h: h as number, w: w as number, oh: oh as number, ow: ow as number };
}

const unsupported = (node: Node): string | null =>
  node.inputs[0].type.dtype === 'f32' ? null : `the webgpu target supports '${node.op}' on f32 only, got ${node.inputs[0].type.dtype}`;

export const resizeNearestKernel: GpuKernelEmitter = {
  unsupported,
  emit(ctx) {
    const { node } = ctx;
    const attrs = attrsOf(node, OP.resize_nearest);
    const { h, w, oh, ow } = sizes(node);
    return [
      boxCopyDispatch({
        label: ctx.label,
        dtype: 'f32',
        shape: node.outputs[0].type.shape,
        source: ([b, y, x, c]) => ({ index: linearIndex(node.inputs[0].type.shape, [b, `SRC_ROW[${y}]`, `SRC_COL[${x}]`, c]) }),
        src: ctx.operand(0, 'src'),
        dst: ctx.result(0, 'dst'),
        declarations: [u32Table('SRC_ROW', nearestAxis(h, oh, attrs)), u32Table('SRC_COL', nearestAxis(w, ow, attrs))],
      }),
    ];
  },
};

export const resizeBilinearKernel: GpuKernelEmitter = {
  unsupported,
  emit(ctx) {
    const { node } = ctx;
    const attrs = attrsOf(node, OP.resize_bilinear);
    const { h, w, oh, ow } = sizes(node);
    const rows = linearAxis(h, oh, attrs);
    const cols = linearAxis(w, ow, attrs);
    const inShape = node.inputs[0].type.shape;
    const outShape = node.outputs[0].type.shape;
    const pixel = (row: string, col: string): string => `x[${linearIndex(inShape, ['o0', row, col, 'o3'])}]`;
    const body = [
      `if (gi < ${countExpr(outShape)}) {`,
      decomposeIndex(outShape, 'gi', 'o').replace(/^/gm, '  '),
      `  let tl = ${pixel('ROW_LO[o1]', 'COL_LO[o2]')};`,
      `  let tr = ${pixel('ROW_LO[o1]', 'COL_HI[o2]')};`,
      `  let bl = ${pixel('ROW_HI[o1]', 'COL_LO[o2]')};`,
      `  let br = ${pixel('ROW_HI[o1]', 'COL_HI[o2]')};`,
      '  let top = tl + (tr - tl) * COL_FRAC[o2];',
      '  let bottom = bl + (br - bl) * COL_FRAC[o2];',
      '  y[gi] = top + (bottom - top) * ROW_FRAC[o1];',
      '}',
    ].join('\n');
    return [
      {
        label: ctx.label,
        bindings: [ctx.operand(0, 'x'), ctx.result(0, 'y')],
        shader: {
          workgroupSize: [LANES],
          declarations: [
            u32Table('ROW_LO', rows.lo),
            u32Table('ROW_HI', rows.hi),
            f32Table('ROW_FRAC', rows.frac),
            u32Table('COL_LO', cols.lo),
            u32Table('COL_HI', cols.hi),
            f32Table('COL_FRAC', cols.frac),
          ],
          body,
        },
        grid: [{ ...countAffine(outShape), per: LANES }],
      },
    ];
  },
};
