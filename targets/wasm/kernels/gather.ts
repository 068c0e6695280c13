/**
 * gather(params, indices: i32){axis}: for each outer position (the axes of
 * params before `axis`) and each index, one contiguous block (the axes after
 * `axis`) copied with `memory.copy`. An index outside [0, size) (negative
 * ones included: the check is unsigned) gives a block of zeros, like the
 * reference and WebGPU; nothing outside the table is read.
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { normalizeAxis, type Dim } from '../../../compiler/ir/types.js';
import { attrsOf } from '../../../compiler/ir/node_attrs.js';
import { OP } from '../../../compiler/ir/op_types.js';
import { binaryen } from '../binaryen.js';
import { elementBytes } from '../memory.js';
import type { KernelEmitter } from './context.js';
import { loopUnsupported } from './loop.js';
import { strideNest, type NestAxis } from './nest.js';

interface GatherShape {
  outer: number;
  outerBatch: boolean;
  /** Length of the gathered axis. */
  size: number;
  count: number;
  countBatch: boolean;
  inner: number;
}

const product = (dims: readonly Dim[]): number => dims.reduce<number>((p, d) => (d === 'N' ? p : p * d), 1);

function gatherShape(node: Node): GatherShape | string {
  const [params, indices] = node.inputs.map((v) => v.type);
  for (const v of [...node.inputs, ...node.outputs]) {
    const why = loopUnsupported(v.type.shape);
    if (why) return `the wasm target cannot compile 'gather': ${why}`;
  }
  if (indices.dtype !== 'i32') return `the wasm target supports 'gather' with i32 indices only, got ${indices.dtype}`;
  const axis = normalizeAxis(attrsOf(node, OP.gather).axis, params.shape.length);
  const size = params.shape[axis];
  if (size === 'N') return "the wasm target does not support 'gather' along the batch axis N";
  const lead = params.shape.slice(0, axis);
  const shape: GatherShape = {
    outer: product(lead),
    outerBatch: lead.includes('N'),
    size,
    count: product(indices.shape),
    countBatch: indices.shape.includes('N'),
    inner: product(params.shape.slice(axis + 1)),
  };
  if (shape.countBatch && shape.outer !== 1) return "the wasm target supports batched 'gather' indices only when gathering along the first axis";
  return shape;
}

export const gatherKernel: KernelEmitter = {
  unsupported(node) {
    const s = gatherShape(node);
    return typeof s === 'string' ? s : null;
  },
  emit(ctx) {
    const { fn, node } = ctx;
    const m = fn.module;
    const s = gatherShape(node);
    if (typeof s === 'string') throw new Error(s);
    const block = s.inner * elementBytes(node.inputs[0].type.dtype);
    // Pointers: params (outer position), indices, result.
    const axes: NestAxis[] = [
      { size: s.outer, batch: s.outerBatch, strides: [s.size * block, 0, s.count * block] },
      { size: s.count, batch: s.countBatch, strides: [0, 4, block] },
    ];
    const index = fn.local(binaryen.i32);
    return strideNest(fn, ctx.batch, axes, [ctx.operand(0), ctx.operand(1), ctx.result(0)], ([src, idx, dst]) => [
      fn.set(index, m.i32.load(0, 4, idx())),
      m.if(
        m.i32.ge_u(fn.get(index), m.i32.const(s.size)),
        m.memory.fill(dst(), m.i32.const(0), m.i32.const(block)),
        m.memory.copy(dst(), m.i32.add(src(), m.i32.mul(fn.get(index), m.i32.const(block))), m.i32.const(block)),
      ),
    ]);
  },
};
