/**
 * batch_norm that the folding pass left in place: one broadcasting
 * elementwise loop (loop.ts) over x with the four per-channel parameters
 * viewed as [C, 1, ...] along `axis`, computing
 * (x - mean) * (gamma / sqrt(variance + epsilon)) + beta.
 */
import { normalizeAxis, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import type { KernelEmitter } from './context.js';
import { emitElementwiseLoop, loopUnsupported, type Stream } from './loop.js';

export const batchNormKernel: KernelEmitter = {
  unsupported(node) {
    if (node.inputs.some((v) => v.type.dtype !== 'f32')) return "the wasm target supports 'batch_norm' on f32 values only";
    const why = loopUnsupported(node.inputs[0].type.shape);
    return why ? `the wasm target cannot compile 'batch_norm': ${why}` : null;
  },
  emit(ctx) {
    const { fn, node } = ctx;
    const attrs = attrsOf(node, OP.batch_norm);
    const shape = node.inputs[0].type.shape;
    const axis = normalizeAxis(attrs.axis, shape.length);
    const paramShape: Dim[] = [shape[axis], ...new Array<number>(shape.length - 1 - axis).fill(1)];
    const inputs: Stream[] = node.inputs.map((v, i) => ({ dtype: 'f32', shape: i === 0 ? shape : paramShape, ptr: ctx.operand(i) }));
    const outputs: Stream[] = [{ dtype: 'f32', shape, ptr: ctx.result(0) }];
    const epsilon = attrs.epsilon;
    return emitElementwiseLoop(fn, ctx.batch, shape, inputs, outputs, (b, [x, mean, variance, gamma, beta]) => {
      const f = b.m.f32x4;
      const scale = f.div(gamma(), f.sqrt(f.add(variance(), b.f32(epsilon))));
      return [f.add(f.mul(f.sub(x(), mean()), scale), beta())];
    });
  },
};
