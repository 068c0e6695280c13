/**
 * A loaded model: a Keras-like face over one backend instance (WASM or
 * WebGPU), so `predict`, `summary` and `dispose` work the same on either.
 */
import { InputError } from './errors.js';
import type { BundleManifest, TensorSpec } from './manifest.js';
import { checkInputs, formOutputs, orderInputs, type ModelInput, type ModelOutput } from './inputs.js';
import type { TensorData } from './wasm.js';

/** What a model needs of a backend: run on checked inputs, and free what it holds. */
export interface Backend {
  execute(data: TensorData[], batch: number): Promise<TensorData[]>;
  dispose(): void;
}

/** The part of the summary that depends on the backend that was loaded. */
export type BackendSummary = {
  codeBytes: number;
  weightBytes: number;
  /** The activation memory at batch 1 (it grows linearly with the batch size). */
  arenaBytesAtBatch1: number;
} & (
  | {
      backend: 'wasm';
      /** The module that was loaded: model.wasm, or model.relaxed.wasm where the engine has relaxed SIMD. */
      wasmFile: string;
      relaxedSimd: boolean;
    }
  | {
      backend: 'webgpu';
      /** The adapter the device came from (vendor, architecture, device, description). */
      adapter: string;
      dispatches: number;
    }
);

export type ModelSummary = {
  name: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  kernels: number;
  kernelOps: Record<string, number>;
} & BackendSummary;

export class Model {
  readonly name: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  private backend: Backend | undefined;

  constructor(
    private readonly manifest: BundleManifest,
    backend: Backend,
    private readonly about: BackendSummary,
  ) {
    this.name = manifest.name;
    this.inputs = manifest.inputs;
    this.outputs = manifest.outputs;
    this.backend = backend;
  }

  async predict(x: ModelInput): Promise<ModelOutput> {
    if (!this.backend) throw new InputError(`model '${this.name}' was disposed`);
    const { inputs, outputs } = this.manifest;
    const { form, tensors } = orderInputs(x, inputs, outputs);
    const { data, batch } = checkInputs(tensors, inputs, outputs);
    return formOutputs(form, await this.backend.execute(data, batch), outputs, batch);
  }

  summary(): ModelSummary {
    const m = this.manifest;
    return { name: m.name, inputs: m.inputs, outputs: m.outputs, kernels: m.kernels.count, kernelOps: m.kernels.ops, ...this.about };
  }

  /** Frees the backend (its memory, or its GPU device); later predictions are an error. */
  dispose(): void {
    this.backend?.dispose();
    this.backend = undefined;
  }
}
