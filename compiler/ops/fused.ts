/**
 * `fused`: a kernel made by the fusion passes. It carries its body graph, so a
 * target emits one loop nest (one WASM function, one WGSL dispatch) per fused
 * node and never needs to know which ops were fused.
 *
 * Contract (what targets are written against):
 * - Body inputs correspond 1:1 to the operands and have the same types; the
 *   body's outputs are the node's results. Reference semantics: run the body.
 * - The body never holds `const` nodes (weights stay operands) nor nested bodies.
 * - Exactly two body forms exist (see `kernelForm`):
 *   (a) elementwise kernel: every body node is elementwise and every body node
 *       result has the kernel's output shape S, which all results share; body
 *       inputs broadcast to S (NumPy rules). Several results are allowed.
 *       One loop over S computes every body node per element.
 *   (b) epilogue kernel: the first body node is a fusion anchor (matmul,
 *       conv1d, conv2d, depthwise_conv2d, conv2d_transpose) reading body
 *       inputs; every later node is elementwise with a result of the anchor's
 *       result shape S, its other operands broadcasting to S (a bias [F], a
 *       residual [N,H,W,F]). Exactly one result, of shape S.
 * - `name` names the kernel for humans: the body op names joined by `+`.
 *
 *   %3 = fused(%x, %w, %b) {name="conv2d+add+relu6"} : f32[N,8,8,16] {
 *     graph @kernel(%4: f32[N,8,8,3], %5: f32[3,3,3,16], %6: f32[16]) -> (r0: f32[N,8,8,16]) {
 *       %7 = conv2d(%4, %5) {strides=[1,1], dilations=[1,1], padding="same", pads=[[0,0],[0,0]], input_dilations=[1,1]} : f32[N,8,8,16]
 *       %8 = add(%7, %6) : f32[N,8,8,16]
 *       %9 = relu6(%8) : f32[N,8,8,16]
 *       return %9
 *     }
 *   }
 */
import { IRError } from '../ir/errors.js';
import type { Graph } from '../ir/graph.js';
import { defineOp } from '../ir/define_op.js';
import { getOp } from '../ir/op.js';
import { formatShape, formatType, sameShape, type Shape, type TensorType } from '../ir/types.js';
import { broadcastShapes } from './util.js';

export type KernelForm = 'elementwise' | 'epilogue';

/** Which of the two body forms a fused body has: epilogue when it opens with a fusion anchor. */
export function kernelForm(body: Graph): KernelForm {
  const first = body.nodes[0];
  return first !== undefined && getOp(first.op).fusionAnchor ? 'epilogue' : 'elementwise';
}

/** The shape every body node result (and every kernel result) has: the kernel's iteration space. */
export function kernelShape(body: Graph): Shape {
  const first = body.nodes[0];
  if (first !== undefined) return first.outputs[0].type.shape;
  const out = body.outputs[0];
  if (!out) throw new IRError('the fused body returns nothing');
  return out.value.type.shape;
}

function broadcastsTo(shape: Shape, target: Shape): boolean {
  try {
    return sameShape(broadcastShapes(shape, target), target);
  } catch {
    return false;
  }
}

function checkBodyInputs(operands: TensorType[], body: Graph): void {
  if (body.inputs.length !== operands.length) {
    throw new IRError(`the body takes ${body.inputs.length} input(s) but the kernel has ${operands.length} operand(s)`);
  }
  operands.forEach((t, i) => {
    const got = body.inputs[i].type;
    if (got.dtype !== t.dtype || !sameShape(got.shape, t.shape)) {
      throw new IRError(`body input ${i} is ${formatType(got)} but operand ${i} is ${formatType(t)}`);
    }
  });
}

/** Checks the body against one of the two forms; throws an IRError naming the offending body node. */
function checkForm(body: Graph): void {
  if (body.outputs.length === 0) throw new IRError('the fused body returns nothing');
  const form = kernelForm(body);
  const shape = kernelShape(body);
  body.nodes.forEach((node, i) => {
    const def = getOp(node.op);
    const where = `body node ${i} (${node.op})`;
    if (def.readsWeight) throw new IRError(`${where} reads a weight; weights must be operands of the fused node`);
    if (node.body) throw new IRError(`${where} owns a body graph; fused bodies cannot nest`);
    if (form === 'epilogue' && i === 0) return;
    if (def.fusionAnchor) throw new IRError(`${where} is a fusion anchor; an anchor must be the first body node`);
    if (!def.elementwise) {
      const allowed = form === 'epilogue' ? 'only elementwise ops may follow the anchor' : 'an elementwise kernel holds only elementwise ops';
      throw new IRError(`${where} is not elementwise: ${allowed}`);
    }
    const got = node.outputs[0].type.shape;
    if (!sameShape(got, shape)) {
      throw new IRError(`${where} has shape ${formatShape(got)} but the kernel iterates over ${formatShape(shape)}`);
    }
  });
  if (form === 'epilogue' && body.outputs.length !== 1) {
    throw new IRError(`an epilogue kernel has one result, this one has ${body.outputs.length}`);
  }
  body.outputs.forEach((o, k) => {
    if (!sameShape(o.value.type.shape, shape)) {
      throw new IRError(`result ${k} has shape ${formatShape(o.value.type.shape)} but the kernel iterates over ${formatShape(shape)}`);
    }
  });
  body.inputs.forEach((v, i) => {
    if (form === 'elementwise' && !broadcastsTo(v.type.shape, shape)) {
      throw new IRError(`body input ${i} (${formatType(v.type)}) does not broadcast to the kernel shape ${formatShape(shape)}`);
    }
  });
}

defineOp({
  name: 'fused',
  doc: 'A fused kernel: runs its body graph, either elementwise ops over one shape or an anchor (matmul/conv) plus an elementwise epilogue.',
  attrs: {
    name: { kind: 'string', doc: 'the kernel for humans: body op names joined by "+"' },
  },
  arity: { min: 1 },
  hasBody: true,
  infer(inputs, _attrs, body) {
    if (!body) throw new IRError('fused needs a body graph');
    checkBodyInputs(inputs, body);
    return body.outputs.map((o) => ({ dtype: o.value.type.dtype, shape: [...o.value.type.shape] }));
  },
  // An elementwise kernel may write over any operand it reads at the same index; an
  // epilogue kernel only over operands its anchor does not read (a residual).
  inPlaceOperands(inputs, _attrs, body) {
    if (!body) return [];
    if (kernelForm(body) === 'elementwise') return inputs.map((_, i) => i);
    const anchorReads = new Set(body.nodes[0].inputs.map((v) => v.id));
    return body.inputs.flatMap((v, i) => (anchorReads.has(v.id) ? [] : [i]));
  },
  verify(_inputs, attrs, body) {
    if (!body) throw new IRError('fused needs a body graph');
    if (attrs.name === '') throw new IRError('the kernel name is empty');
    checkForm(body);
  },
  reference(inputs, _attrs, ctx, body) {
    if (!body) throw new IRError('fused needs a body graph');
    return ctx.runBody(body, inputs);
  },
});
