/**
 * The WebGPU target's support table, declared as data: op name -> kernel
 * emitter, gathered from the family files. `fused` nodes go by their form
 * (an elementwise body, or the anchor op of an epilogue body). An op missing
 * here is unsupported, and the error names it; `const` and views need no
 * kernel (see ../compile.ts).
 */
import type { Node } from '../../../compiler/ir/graph.js';
import { kernelForm } from '../../../compiler/ops/fused.js';
import type { GpuKernelEmitter, GraphFacts } from './context.js';
import type { KernelFamily } from './family.js';
import { ELEMENTWISE_FAMILY } from './elementwise.js';
import { MOVEMENT_FAMILY } from './movement.js';
import { MATMUL_FAMILY } from './matmul.js';
import { WINDOW_FAMILY } from './window.js';
import { REDUCTION_FAMILY } from './reduction.js';
import { scanKernel } from './scan.js';

const FAMILIES: readonly KernelFamily[] = [ELEMENTWISE_FAMILY, MOVEMENT_FAMILY, MATMUL_FAMILY, WINDOW_FAMILY, REDUCTION_FAMILY];

const EPILOGUES: Readonly<Record<string, GpuKernelEmitter>> = Object.assign({}, ...FAMILIES.map((f) => f.epilogues ?? {}));
const FUSED_ELEMENTWISE = FAMILIES.find((f) => f.fusedElementwise)?.fusedElementwise;

/** The emitter for a fused body's form, or why there is none. */
function formEmitter(node: Node): GpuKernelEmitter | string {
  if (!node.body) return 'fused node without a body';
  if (kernelForm(node.body) === 'elementwise') return FUSED_ELEMENTWISE ?? 'the webgpu target does not support fused elementwise kernels yet';
  const anchor = node.body.nodes[0].op;
  return EPILOGUES[anchor] ?? `the webgpu target does not support op '${anchor}' yet`;
}

const fusedKernel: GpuKernelEmitter = {
  unsupported(node, facts) {
    const emitter = formEmitter(node);
    return typeof emitter === 'string' ? emitter : emitter.unsupported(node, facts);
  },
  emit(ctx) {
    const emitter = formEmitter(ctx.node);
    if (typeof emitter === 'string') throw new Error(emitter);
    return emitter.emit(ctx);
  },
};

const KERNELS: Readonly<Record<string, GpuKernelEmitter>> = {
  ...Object.assign({}, ...FAMILIES.map((f) => f.kernels)),
  fused: fusedKernel,
  // The scan kernel compiles its body's nodes through this same table.
  scan: scanKernel(gpuKernelFor),
};

/** The op a node is reported as when unsupported: a fused epilogue kernel by its anchor. */
export function gpuReportedOp(node: Node): string {
  if (node.op === 'fused' && node.body && kernelForm(node.body) === 'epilogue') return node.body.nodes[0].op;
  return node.op;
}

/** The emitter for a node, or an explanation (naming the op) of why there is none. */
export function gpuKernelFor(node: Node, facts: GraphFacts): GpuKernelEmitter | string {
  const emitter = KERNELS[node.op];
  if (!emitter) return `the webgpu target does not support op '${gpuReportedOp(node)}' yet`;
  return emitter.unsupported(node, facts) ?? emitter;
}
