/**
 * Ops whose result element reads at most one element of their one operand at
 * coordinates computed from its own: transpose, slice, reverse, tile,
 * broadcast_to, pad (the fill value outside the operand) and fill (no
 * operand). Each is one box copy (movement_box.ts) over the dense result;
 * the batch N may sit on any axis.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis, type DType, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { dimExpr, linearIndex } from '../shape_exprs.js';
import type { GpuDispatch, GpuEmitContext, GpuKernelEmitter } from './context.js';
import { boxCopyDispatch, elementBits, type ElementSource } from './movement_box.js';

/** Operand coordinates from result coordinates, for a node reading operand 0. */
type CoordMap = (node: Node, out: string[]) => ElementSource;

/** An emitter copying operand 0 into result 0 through a coordinate map; `fill` is the value outside the operand. */
function readingKernel(map: CoordMap, fill?: (node: Node) => number): GpuKernelEmitter {
  return {
    unsupported: () => null,
    emit(ctx: GpuEmitContext): GpuDispatch[] {
      const { node } = ctx;
      const dtype = node.outputs[0].type.dtype;
      return [
        boxCopyDispatch({
          label: ctx.label,
          dtype,
          shape: node.outputs[0].type.shape,
          source: (coords) => map(node, coords),
          fill: fill ? elementBits(fill(node), dtype) : undefined,
          src: ctx.operand(0, 'src'),
          dst: ctx.result(0, 'dst'),
        }),
      ];
    },
  };
}

const inShape = (node: Node): Dim[] => node.inputs[0].type.shape;
const at = (node: Node, coords: string[]): string => linearIndex(inShape(node), coords);

const transpose: CoordMap = (node, out) => {
  const perm = attrsOf(node, OP.transpose).perm;
  const coords = new Array<string>(perm.length);
  perm.forEach((p, i) => (coords[p] = out[i]));
  return { index: at(node, coords) };
};

const slice: CoordMap = (node, out) => {
  const begin = attrsOf(node, OP.slice).begin;
  return { index: at(node, out.map((o, k) => (begin[k] === 0 ? o : `(${o} + ${begin[k]}u)`))) };
};

const reverse: CoordMap = (node, out) => {
  const shape = inShape(node);
  const flip = new Set(attrsOf(node, OP.reverse).axes.map((a) => normalizeAxis(a, shape.length)));
  const last = (d: Dim): string => (d === 'N' ? 'P.n - 1u' : `${d - 1}u`);
  return { index: at(node, out.map((o, k) => (flip.has(k) ? `(${last(shape[k])} - ${o})` : o))) };
};

const tile: CoordMap = (node, out) => {
  const reps = attrsOf(node, OP.tile).reps;
  return { index: at(node, out.map((o, k) => (reps[k] === 1 ? o : `(${o} % ${dimExpr(inShape(node)[k])})`))) };
};

const broadcastTo: CoordMap = (node, out) => {
  const shape = inShape(node);
  const lead = out.length - shape.length;
  return { index: at(node, shape.map((d, k) => (d === 1 ? '0u' : out[k + lead]))) };
};

const pad: CoordMap = (node, out) => {
  const pads = attrsOf(node, OP.pad).pads;
  const shape = inShape(node);
  const tests: string[] = [];
  const coords = out.map((o, k) => {
    const [before, after] = pads[k];
    if (before === 0 && after === 0) return o;
    const d = shape[k] as number; // the batch axis is never padded
    tests.push(before === 0 ? `${o} < ${d}u` : `${o} >= ${before}u && ${o} < ${before + d}u`);
    return before === 0 ? o : `(${o} - ${before}u)`;
  });
  return { index: at(node, coords), inside: tests.length === 0 ? undefined : tests.join(' && ') };
};

const fill: GpuKernelEmitter = {
  unsupported: () => null,
  emit(ctx) {
    const { dtype, value } = attrsOf(ctx.node, OP.fill);
    const fillBits = elementBits(value, dtype);
    return [boxCopyDispatch({ label: ctx.label, dtype, shape: ctx.node.outputs[0].type.shape, fill: fillBits, dst: ctx.result(0, 'dst') })];
  },
};

export const REARRANGE_KERNELS: Readonly<Record<string, GpuKernelEmitter>> = {
  transpose: readingKernel(transpose),
  slice: readingKernel(slice),
  reverse: readingKernel(reverse),
  tile: readingKernel(tile),
  broadcast_to: readingKernel(broadcastTo),
  pad: readingKernel(pad, (node) => attrsOf(node, OP.pad).value),
  fill,
};
