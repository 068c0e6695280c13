/**
 * The elementwise tail of a `fused` epilogue kernel (compiler/ops/fused.ts,
 * form (b)): a GEMM / convolution / depthwise kernel computes the anchor's
 * value and passes it, with its linear index in the output shape S, to the
 * WGSL function made here, which applies the body nodes after the anchor.
 * Operands broadcast to S by index arithmetic (a bias [F] reads `idx % F`,
 * a residual of shape S reads `idx`).
 */
import type { Node, Value } from '../../compiler/ir/graph.js';
import { formatType } from '../../compiler/ir/types.js';
import { kernelForm, kernelShape } from '../../compiler/ops/fused.js';
import { sameAffine } from '../../compiler/plan/affine.js';
import { elementwiseGpuUnsupported, emitElementwiseStatements, loadAs, naturalElement } from './elementwise_rules.js';
import type { GpuBinding, GpuEmitContext, Region } from './kernels/context.js';
import { broadcastIndex } from './shape_exprs.js';

/** Why the epilogue of this fused node cannot be compiled, or null. */
export function epilogueUnsupported(node: Node): string | null {
  const body = node.body;
  if (!body || kernelForm(body) !== 'epilogue') return `the ${node.op} node has no epilogue body`;
  const anchor = body.nodes[0];
  const result = body.outputs[0].value;
  if (anchor.outputs[0].type.dtype !== 'f32' || result.type.dtype !== 'f32') {
    return `the webgpu target supports '${anchor.op}' epilogues only from f32 to f32, not to ${formatType(result.type)}`;
  }
  for (const n of body.nodes.slice(1)) {
    const why = elementwiseGpuUnsupported(n);
    if (why) return why;
  }
  return null;
}

const sameRegion = (a: Region, b: Region): boolean => a.space === b.space && sameAffine(a.offset, b.offset) && sameAffine(a.size, b.size);

/** Body inputs the epilogue nodes read, with their operand positions. */
function epilogueOperands(node: Node): { value: Value; position: number }[] {
  const body = node.body;
  if (!body) throw new Error(`the ${node.op} node has no body`);
  const read = new Set(body.nodes.slice(1).flatMap((n) => n.inputs.map((v) => v.id)));
  return body.inputs.flatMap((value, position) => (read.has(value.id) ? [{ value, position }] : []));
}

/**
 * Bindings for the epilogue's operands (named `${prefix}0`, `${prefix}1`, ...
 * in operand order) and the declaration of `fn ${prefix}apply(acc: f32, idx: u32) -> f32`,
 * which applies the body nodes after the anchor to the anchor's value `acc`
 * at linear index `idx` of S. Without epilogue nodes it returns `acc`.
 */
export function epilogueCode(ctx: GpuEmitContext, prefix: string): { bindings: GpuBinding[]; declaration: string } {
  const body = ctx.node.body;
  if (!body || kernelForm(body) !== 'epilogue') throw new Error(`${ctx.label}: not an epilogue kernel`);
  const shape = kernelShape(body);
  const output = ctx.region(ctx.node.outputs[0]);
  const env = new Map<number, string>([[body.nodes[0].outputs[0].id, 'acc']]);
  const loads: string[] = [];
  const bindings = epilogueOperands(ctx.node).map(({ value, position }, k): GpuBinding => {
    const binding = ctx.operand(position, `${prefix}${k}`);
    // An operand overwritten in place by the f32 result shares its binding, so it takes the result's f32 declaration.
    const element = sameRegion(binding.region, output) ? 'f32' : naturalElement(value.type.dtype);
    loads.push(`let v${value.id} = ${loadAs(binding.name, element, value.type.dtype, broadcastIndex(value.type.shape, shape, 'idx'))};`);
    env.set(value.id, `v${value.id}`);
    return { ...binding, element };
  });
  const statements = emitElementwiseStatements(body.nodes.slice(1), env);
  const result = env.get(body.outputs[0].value.id);
  if (result === undefined) throw new Error(`${ctx.label}: the epilogue does not compute the kernel's result`);
  const lines = [...loads, ...statements.split('\n'), `return ${result};`].filter((s) => s !== '');
  const declaration = [`fn ${prefix}apply(acc: f32, idx: u32) -> f32 {`, ...lines.map((l) => `  ${l}`), '}'].join('\n');
  return { bindings, declaration };
}
