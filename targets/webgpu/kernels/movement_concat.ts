/**
 * concat(xs...){axis}: one dispatch per operand, writing its slab of the
 * result, so a dispatch binds two ranges however many operands there are.
 * Four-byte elements: each operand element goes to its place along the axis.
 * bool: a slab need not start on a word boundary, so each dispatch runs over
 * every result word and replaces only the bytes of its operand's slab.
 */
import { normalizeAxis, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { linearIndex } from '../shape_exprs.js';
import type { GpuDispatch, GpuKernelEmitter } from './context.js';
import { boxCopyDispatch } from './movement_box.js';

const shifted = (coords: string[], axis: number, by: string): string[] => coords.map((c, k) => (k === axis ? `(${c} ${by})` : c));

export const concatKernel: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { node } = ctx;
    const out = node.outputs[0].type;
    const axis = normalizeAxis(attrsOf(node, OP.concat).axis, out.shape.length);
    const whole = node.inputs.length === 1;
    const dispatches: GpuDispatch[] = [];
    let offset = 0;
    node.inputs.forEach((input, k) => {
      const shape = input.type.shape;
      // A batch-axis concat has one operand, so only a lone operand may have N along the axis.
      const length: Dim = shape[axis];
      const start = offset;
      offset += length === 'N' ? 0 : length;
      if (length === 0) return;
      const label = `${ctx.label} operand ${k}`;
      const src = ctx.operand(k, 'src');
      const dst = ctx.result(0, 'dst');
      if (out.dtype !== 'bool') {
        dispatches.push(
          boxCopyDispatch({
            label,
            dtype: out.dtype,
            shape,
            source: (_coords, linear) => ({ index: linear }),
            destination: (coords) => linearIndex(out.shape, start === 0 ? coords : shifted(coords, axis, `+ ${start}u`)),
            src,
            dst,
          }),
        );
        return;
      }
      dispatches.push(
        boxCopyDispatch({
          label,
          dtype: out.dtype,
          shape: out.shape,
          source: (coords) => ({
            index: linearIndex(shape, start === 0 ? coords : shifted(coords, axis, `- ${start}u`)),
            inside: whole ? undefined : `${coords[axis]} >= ${start}u && ${coords[axis]} < ${start + (length as number)}u`,
          }),
          src,
          dst,
        }),
      );
    });
    return dispatches;
  },
};
