/**
 * gather(params, indices: i32){axis}: result coordinates split into the
 * params axes before `axis`, the indices coordinates and the params axes
 * after it; the index read there picks the params entry along `axis`.
 * The reference rejects an index outside [0, size); a shader cannot raise an
 * error, so such an element is written as zero and nothing outside params is read.
 */
import { normalizeAxis } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { dimExpr, linearIndex } from '../shape_exprs.js';
import type { GpuKernelEmitter } from './context.js';
import { boxCopyDispatch, elementBits } from './movement_box.js';

export const gatherKernel: GpuKernelEmitter = {
  unsupported(node) {
    const indices = node.inputs[1].type.dtype;
    return indices === 'i32' ? null : `the webgpu target supports 'gather' with i32 indices only, got ${indices}`;
  },
  emit(ctx) {
    const { node } = ctx;
    const [params, indices] = node.inputs.map((v) => v.type);
    const out = node.outputs[0].type;
    const axis = normalizeAxis(attrsOf(node, OP.gather).axis, params.shape.length);
    const rank = indices.shape.length;
    return [
      boxCopyDispatch({
        label: ctx.label,
        dtype: out.dtype,
        shape: out.shape,
        source: (coords) => {
          const outer = coords.slice(0, axis);
          const inner = coords.slice(axis + rank);
          return {
            statements: `let picked = ids[${linearIndex(indices.shape, coords.slice(axis, axis + rank))}];`,
            inside: `u32(picked) < ${dimExpr(params.shape[axis])}`,
            index: linearIndex(params.shape, [...outer, 'u32(picked)', ...inner]),
          };
        },
        fill: elementBits(0, out.dtype),
        src: ctx.operand(0, 'src'),
        dst: ctx.result(0, 'dst'),
        extra: [ctx.operand(1, 'ids')],
      }),
    ];
  },
};
