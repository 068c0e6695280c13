/**
 * Data-movement ops as box copies (copy.ts): transpose, slice, reverse,
 * tile and broadcast_to read one strided box of their operand into their
 * dense result; concat copies each operand into its place along the axis;
 * pad fills the result and copies the operand into the interior; fill only
 * fills. Any dtype (f32 / i32 are 4 bytes, bool 1). The batch axis N must be
 * the first axis of every operand and result, and is never sliced, reversed,
 * padded or concatenated along.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { Expr } from '../binaryen.js';
import { emitCopy, emitFill, type CopyPlan } from './copy.js';
import type { EmitContext, KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { denseStrides } from './nest.js';

const staticDim = (d: Dim): number => (d === 'N' ? 1 : d);

/** Why the operands and results of `node` cannot be addressed with static strides, or null. */
function shapesUnsupported(node: Node): string | null {
  for (const v of [...node.inputs, ...node.outputs]) {
    const why = loopUnsupported(v.type.shape);
    if (why) return `the wasm target cannot compile '${node.op}': ${why}`;
  }
  return null;
}

/** A kernel that reads one box of operand 0 into its dense result 0. */
function boxKernel(plan: (node: Node) => CopyPlan | string): KernelEmitter {
  return {
    unsupported(node) {
      const p = plan(node);
      return typeof p === 'string' ? p : shapesUnsupported(node);
    },
    emit(ctx) {
      const p = plan(ctx.node);
      if (typeof p === 'string') throw new Error(p);
      return emitCopy(ctx.fn, ctx.batch, ctx.node.outputs[0].type.dtype, ctx.operand(0), ctx.result(0), p);
    },
  };
}

const denseSide = (shape: readonly Dim[]) => ({ offset: 0, strides: denseStrides(shape) });

export const transposeKernel = boxKernel((node) => {
  const inStrides = denseStrides(node.inputs[0].type.shape);
  const out = node.outputs[0].type.shape;
  const perm = attrsOf(node, OP.transpose).perm;
  return { shape: [...out], src: { offset: 0, strides: perm.map((p) => inStrides[p]) }, dst: denseSide(out) };
});

export const sliceKernel = boxKernel((node) => {
  const shape = node.inputs[0].type.shape;
  const inStrides = denseStrides(shape);
  const begin = attrsOf(node, OP.slice).begin;
  const offset = begin.reduce((s, b, i) => s + b * inStrides[i], 0);
  const out = node.outputs[0].type.shape;
  return { shape: [...out], src: { offset, strides: inStrides }, dst: denseSide(out) };
});

export const reverseKernel = boxKernel((node) => {
  const shape = node.inputs[0].type.shape;
  const axes = new Set(attrsOf(node, OP.reverse).axes.map((a) => normalizeAxis(a, shape.length)));
  if ([...axes].some((a) => shape[a] === 'N')) return "the wasm target does not support 'reverse' along the batch axis N";
  const inStrides = denseStrides(shape);
  const offset = [...axes].reduce((s, a) => s + (staticDim(shape[a]) - 1) * inStrides[a], 0);
  return { shape: [...shape], src: { offset, strides: inStrides.map((s, i) => (axes.has(i) ? -s : s)) }, dst: denseSide(shape) };
});

export const broadcastToKernel = boxKernel((node) => {
  const out = node.outputs[0].type.shape;
  const inShape = node.inputs[0].type.shape;
  const lead = out.length - inShape.length;
  const inStrides = denseStrides(inShape);
  const strides = out.map((d, i) => {
    const k = i - lead;
    return k < 0 || (inShape[k] === 1 && d !== 1) ? 0 : inStrides[k];
  });
  return { shape: [...out], src: { offset: 0, strides }, dst: denseSide(out) };
});

/** tile as a copy over the box [r0, d0, r1, d1, ...]: the repeat axes do not move the source. */
export const tileKernel = boxKernel((node) => {
  const inShape = node.inputs[0].type.shape;
  const reps = attrsOf(node, OP.tile).reps;
  const inStrides = denseStrides(inShape);
  const shape = inShape.flatMap((d, i): Dim[] => [reps[i], d]);
  const strides = inStrides.flatMap((s) => [0, s]);
  return { shape, src: { offset: 0, strides }, dst: denseSide(shape) };
});

export const concatKernel: KernelEmitter = {
  unsupported(node) {
    const out = node.outputs[0].type.shape;
    const axis = normalizeAxis(attrsOf(node, OP.concat).axis, out.length);
    if (out[axis] === 'N') return "the wasm target does not support 'concat' along the batch axis N";
    return shapesUnsupported(node);
  },
  emit(ctx) {
    const { node, fn } = ctx;
    const out = node.outputs[0].type.shape;
    const axis = normalizeAxis(attrsOf(node, OP.concat).axis, out.length);
    const outStrides = denseStrides(out);
    let at = 0;
    const copies: Expr[] = node.inputs.map((v, i) => {
      const plan: CopyPlan = { shape: [...v.type.shape], src: denseSide(v.type.shape), dst: { offset: at * outStrides[axis], strides: outStrides } };
      at += staticDim(v.type.shape[axis]);
      return emitCopy(fn, ctx.batch, v.type.dtype, ctx.operand(i), ctx.result(0), plan);
    });
    return fn.module.block(null, copies);
  },
};

export const padKernel: KernelEmitter = {
  unsupported: shapesUnsupported,
  emit(ctx: EmitContext) {
    const { node, fn } = ctx;
    const x = node.inputs[0].type;
    const out = node.outputs[0].type.shape;
    const pads = attrsOf(node, OP.pad).pads;
    const outStrides = denseStrides(out);
    const offset = pads.reduce((s, p, i) => s + p[0] * outStrides[i], 0);
    const plan: CopyPlan = { shape: [...x.shape], src: denseSide(x.shape), dst: { offset, strides: outStrides } };
    return fn.module.block(null, [
      emitFill(fn, ctx.batch, x.dtype, ctx.result(0), out, attrsOf(node, OP.pad).value),
      emitCopy(fn, ctx.batch, x.dtype, ctx.operand(0), ctx.result(0), plan),
    ]);
  },
};

export const fillKernel: KernelEmitter = {
  unsupported: shapesUnsupported,
  emit(ctx) {
    const out = ctx.node.outputs[0].type;
    return emitFill(ctx.fn, ctx.batch, out.dtype, ctx.result(0), out.shape, attrsOf(ctx.node, OP.fill).value);
  },
};
