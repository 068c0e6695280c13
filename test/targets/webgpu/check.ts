/**
 * Compiles a graph for the WebGPU target and runs it on Dawn (a real GPU, or
 * SwiftShader on the CPU) through the runtime's WebGPU executor, checking it
 * against the reference interpreter at several batch sizes by the conformance
 * tolerance rule. Every generated WGSL module must compile with no message at
 * all (no error, no warning). Without an adapter the suites are reported as
 * skipped with the reason (`describeGpu`).
 */
import '../../../compiler/ops/index.js';
import { describe } from 'vitest';
import { nodeGpu } from '../../../driver/gpu/dawn.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { interpret } from '../../../compiler/interpreter/interpreter.js';
import type { Tensor } from '../../../compiler/ir/tensor.js';
import { compileWebGpu, type WebGpuArtifact } from '../../../targets/webgpu/index.js';
import { WebGpuExecutor, splitKernels } from '../../../runtime/webgpu.js';
import type { TensorSpec, WebGpuTarget } from '../../../runtime/manifest.js';
import type { Tolerance } from '../../helpers/tolerance.js';
import { compareWithSpecials, randomInputs } from '../wasm/check.js';

export { randomInputs, randomValues, compareWithSpecials } from '../wasm/check.js';

const found = await nodeGpu();
export const gpu: GPU | undefined = found.gpu;
export const skipReason = found.gpu ? '' : found.reason;

/** A describe block that runs only with a WebGPU adapter, and says why it was skipped otherwise. */
export function describeGpu(name: string, body: () => void): void {
  if (!gpu) {
    describe.skip(`${name} (skipped: ${skipReason})`, body);
    return;
  }
  describe(name, body);
}

function specOf(g: Graph): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const spec = (name: string, v: Graph['inputs'][number]): TensorSpec => ({ name, dtype: v.type.dtype === 'i32' ? 'i32' : 'f32', shape: [...v.type.shape] });
  return { inputs: g.inputs.map((v, i) => spec(v.name ?? `in${i}`, v)), outputs: g.outputs.map((o) => spec(o.name, o.value)) };
}

export function targetOf(artifact: WebGpuArtifact): WebGpuTarget {
  const { weightPages, ...rest } = artifact.layout;
  return { ...rest, file: 'model.wgsl', weights: { file: 'weights.webgpu.bin', bytes: artifact.weights.length, pages: weightPages } };
}

/** Compilation messages (errors and warnings) of every kernel module, as 'kernel k: line:col message'. */
export async function wgslMessages(artifact: WebGpuArtifact): Promise<string[]> {
  if (!gpu) throw new Error(skipReason);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no adapter');
  const device = await adapter.requestDevice();
  const out: string[] = [];
  const modules = splitKernels(artifact.wgsl, artifact.layout.kernels.length, 'artifact');
  for (const [k, code] of modules.entries()) {
    const info = await device.createShaderModule({ code }).getCompilationInfo();
    for (const m of info.messages) out.push(`kernel ${k}: ${m.type} ${m.lineNum}:${m.linePos} ${m.message}\n${code}`);
  }
  device.destroy();
  return out;
}

export interface LoadedGpuModel {
  run(inputs: readonly Tensor[], batch: number): Promise<Tensor[]>;
  dispose(): void;
}

export async function loadOnGpu(g: Graph, artifact: WebGpuArtifact = compileWebGpu(g)): Promise<LoadedGpuModel> {
  if (!gpu) throw new Error(skipReason);
  const signature = specOf(g);
  const weights = new Uint8Array(artifact.weights);
  const executor = await WebGpuExecutor.create(gpu, artifact.wgsl, weights, targetOf(artifact), signature, 'test');
  return {
    async run(inputs, batch) {
      const data = inputs.map((t) => (t.dtype === 'i32' ? Int32Array.from(t.data) : Float32Array.from(t.data)));
      const out = await executor.execute(data, batch);
      return out.map((d, j) => ({
        dtype: signature.outputs[j].dtype,
        shape: signature.outputs[j].shape.map((s) => (s === 'N' ? batch : s)),
        data: d,
      }));
    },
    dispose: () => executor.dispose(),
  };
}

/** Problems found (empty when the compiled graph matches the interpreter at every batch and its WGSL compiles cleanly). */
export async function checkOnGpu(
  g: Graph,
  options: { batches?: number[]; inputs?: (batch: number) => Tensor[]; scale?: number; tolerance?: Tolerance } = {},
): Promise<string[]> {
  const artifact = compileWebGpu(g);
  const problems = await wgslMessages(artifact);
  if (problems.length > 0) return problems;
  const model = await loadOnGpu(g, artifact);
  try {
    for (const batch of options.batches ?? [1, 3]) {
      const inputs = options.inputs ? options.inputs(batch) : randomInputs(g, batch, batch + 7, options.scale);
      const want = interpret(g, inputs);
      const got = await model.run(inputs, batch);
      want.forEach((w, j) => {
        const problem = compareWithSpecials(got[j], w, options.tolerance);
        if (problem) problems.push(`batch ${batch}, output ${j}: ${problem}`);
      });
    }
  } finally {
    model.dispose();
  }
  return problems;
}
