/**
 * The WebGPU target: `compileWebGpu(graph)` turns an optimized graph into
 * WGSL compute shaders, a static dispatch list over byte ranges affine in the
 * batch N, and the weights in their plain layout. The runtime contract
 * (runtime/webgpu.ts): create one pipeline per kernel module, upload the weight
 * pages once, and per prediction size the arena for N, write the inputs at
 * their ranges, record every dispatch in order into one command buffer and
 * copy the outputs back. Ops the target does not cover fail with one
 * WebGpuUnsupportedError naming the op; `webgpuSupports` lists them up front.
 */
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { planMemory, type MemoryPlan } from '../../compiler/plan/index.js';
import { WGSL_KERNEL_MARKER, type GpuRange, type WebGpuTarget } from '../../runtime/manifest.js';
import { unsupportedOps } from '../common/support.js';
import type { Target } from '../common/target.js';
import { compileDispatchList, unsupportedGpuNodes, WebGpuUnsupportedError } from './compile.js';
import { GPU_KERNELS } from './kernels/index.js';

export { WebGpuUnsupportedError, unsupportedGpuNodes } from './compile.js';

export interface WebGpuArtifact {
  /** Every kernel module, each opening with its marker line. */
  wgsl: string;
  /** The weights file (pages back to back). */
  weights: Uint8Array;
  /** The manifest's `targets.webgpu`, less the two file names the bundle chooses. */
  layout: Omit<WebGpuTarget, 'file' | 'weights'> & { weightPages: WebGpuTarget['weights']['pages'] };
}

/** The unsupported ops of `graph` (each once, in graph order); empty when it compiles. */
export function webgpuSupports(graph: Graph): string[] {
  return unsupportedOps(graph, GPU_KERNELS);
}

function checkDtype(v: Value, what: string): void {
  if (v.type.dtype === 'bool') {
    throw new WebGpuUnsupportedError(`the webgpu target does not support bool model ${what}s yet ('${v.name ?? v.id}')`, 'bool');
  }
}

/** Compiles an optimized graph; `plan` is its memory plan when the caller already made it. */
export function compileWebGpu(graph: Graph, plan?: MemoryPlan): WebGpuArtifact {
  graph.inputs.forEach((v) => checkDtype(v, 'input'));
  graph.outputs.forEach((o) => checkDtype(o.value, 'output'));
  const compiled = compileDispatchList(graph, plan ?? planMemory(graph));
  const wgsl = compiled.kernels.map((k, i) => `${WGSL_KERNEL_MARKER}${i}\n${k.code}`).join('');
  const range = (v: Value): GpuRange => compiled.locate(v);
  return {
    wgsl,
    weights: compiled.weights,
    layout: {
      kernels: compiled.kernels.map((k) => ({ bindings: k.bindings })),
      dispatches: compiled.dispatches.map((d) => ({ kernel: d.kernel, label: d.label, bindings: d.bindings, grid: d.grid, step: d.step })),
      weightPages: compiled.weightPages,
      arenaBytes: compiled.arenaBytes,
      steps: compiled.steps,
      inputs: graph.inputs.map(range),
      outputs: graph.outputs.map((o) => range(o.value)),
    },
  };
}

/** The WebGPU target for the driver: the WGSL kernels, the dispatch list and the paged weights. */
export const WEBGPU_TARGET: Target<{ webgpu: WebGpuArtifact }> = {
  name: 'webgpu',
  stage: 'compiling to WGSL',
  unsupported: unsupportedGpuNodes,
  compile: (graph, plan) => ({ webgpu: compileWebGpu(graph, plan) }),
};
