/**
 * Elementwise kernels: a plain elementwise op, or a `fused` elementwise body,
 * as one broadcasting loop (loop.ts) whose step evaluates the op rules
 * (../elementwise.ts) on vectors.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import type { Getter } from '../func.js';
import { elementwiseUnsupported, emitNodes } from '../elementwise.js';
import type { EmitContext, KernelEmitter } from './context.js';
import { emitElementwiseLoop, loopUnsupported, type Stream } from './loop.js';
import { kernelShape } from '../../../compiler/ops/fused.js';

function streams(ctx: EmitContext): { inputs: Stream[]; outputs: Stream[] } {
  const { node } = ctx;
  return {
    inputs: node.inputs.map((v, i) => ({ dtype: v.type.dtype, shape: v.type.shape, ptr: ctx.operand(i) })),
    outputs: node.outputs.map((v, k) => ({ dtype: v.type.dtype, shape: v.type.shape, ptr: ctx.result(k) })),
  };
}

/** One elementwise op applied over its (broadcast) operands. */
export const plainElementwise: KernelEmitter = {
  unsupported(node) {
    return (
      elementwiseUnsupported(node.op, node.inputs.map((v) => v.type.dtype), node.outputs.map((v) => v.type.dtype)) ??
      loopUnsupported(node.outputs[0].type.shape)
    );
  },
  emit(ctx) {
    const { inputs, outputs } = streams(ctx);
    return emitElementwiseLoop(ctx.fn, ctx.batch, ctx.node.outputs[0].type.shape, inputs, outputs, (b, x) => {
      const env = new Map<number, Getter>(ctx.node.inputs.map((v, i) => [v.id, x[i]]));
      emitNodes(b, [ctx.node], env);
      return ctx.node.outputs.map((v) => env.get(v.id) as Getter).map((get) => get());
    });
  },
};

/** Why the body nodes of a fused kernel cannot be evaluated by the rules, or null. */
export function bodyUnsupported(nodes: readonly Node[]): string | null {
  for (const n of nodes) {
    const why = elementwiseUnsupported(n.op, n.inputs.map((v) => v.type.dtype), n.outputs.map((v) => v.type.dtype));
    if (why) return why;
  }
  return null;
}

/** A fused elementwise kernel: every body node per element, in one loop. */
export const fusedElementwise: KernelEmitter = {
  unsupported(node) {
    const body = node.body;
    if (!body) return 'fused node without a body';
    return bodyUnsupported(body.nodes) ?? loopUnsupported(kernelShape(body));
  },
  emit(ctx) {
    const body = ctx.node.body;
    if (!body) throw new Error('fused node without a body');
    const { inputs, outputs } = streams(ctx);
    return emitElementwiseLoop(ctx.fn, ctx.batch, kernelShape(body), inputs, outputs, (b, x) => {
      const env = new Map<number, Getter>(body.inputs.map((v, i) => [v.id, x[i]]));
      emitNodes(b, body.nodes, env);
      return body.outputs.map((o) => {
        const get = env.get(o.value.id);
        if (!get) throw new Error(`fused body output %${o.value.id} is not computed`);
        return get();
      });
    });
  },
};
