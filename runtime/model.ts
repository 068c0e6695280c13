/**
 * A loaded model: a Keras-like face over one backend instance. `predict` is
 * async so that later backends (WebGPU) fit the same API.
 */
import { InputError } from './errors.js';
import { evalAffine, type BundleManifest, type TensorSpec } from './manifest.js';
import { checkInputs, formOutputs, orderInputs, type ModelInput, type ModelOutput } from './inputs.js';
import type { WasmExecutor } from './wasm.js';

export interface ModelSummary {
  name: string;
  backend: 'wasm';
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  kernels: number;
  kernelOps: Record<string, number>;
  /** The module that was loaded: model.wasm, or model.relaxed.wasm where the engine has relaxed SIMD. */
  wasmFile: string;
  relaxedSimd: boolean;
  codeBytes: number;
  weightBytes: number;
  /** The activation arena at batch 1 (it grows linearly with the batch size). */
  arenaBytesAtBatch1: number;
}

export class Model {
  readonly name: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  private executor: WasmExecutor | undefined;

  constructor(
    private readonly manifest: BundleManifest,
    executor: WasmExecutor,
    private readonly wasmFile: string,
  ) {
    this.name = manifest.name;
    this.inputs = manifest.inputs;
    this.outputs = manifest.outputs;
    this.executor = executor;
  }

  async predict(x: ModelInput): Promise<ModelOutput> {
    if (!this.executor) throw new InputError(`model '${this.name}' was disposed`);
    const { inputs, outputs } = this.manifest;
    const { form, tensors } = orderInputs(x, inputs, outputs);
    const { data, batch } = checkInputs(tensors, inputs, outputs);
    return formOutputs(form, this.executor.execute(data, batch), outputs, batch);
  }

  summary(): ModelSummary {
    const m = this.manifest;
    return {
      name: m.name,
      backend: 'wasm',
      inputs: m.inputs,
      outputs: m.outputs,
      kernels: m.kernels.count,
      kernelOps: m.kernels.ops,
      wasmFile: this.wasmFile,
      relaxedSimd: this.wasmFile === m.targets.wasm.relaxedFile,
      codeBytes: m.files[this.wasmFile].bytes,
      weightBytes: m.weights.bytes,
      arenaBytesAtBatch1: evalAffine(m.targets.wasm.arenaBytes, 1),
    };
  }

  /** Drops the instance and its memory; later predictions are an error. */
  dispose(): void {
    this.executor = undefined;
  }
}
