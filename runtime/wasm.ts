/**
 * The WASM backend: one instance of model.wasm (or its relaxed-SIMD twin) per loaded model. Weights are
 * copied into linear memory once; a prediction grows memory when the batch
 * needs it, copies the inputs to their planned offsets, makes one call
 * `run(batch)` and copies the outputs out.
 */
import { BundleError } from './errors.js';
import { LAYOUT_SECTION, checkLayout } from './layout_digest.js';
import { LimitError, WASM_MEMORY_LIMIT_BYTES, WASM_PAGE_BYTES, formatBytes } from './limits.js';
import { evalAffine, type TensorSpec, type WasmTarget } from './manifest.js';
/** Warm-up at load: enough batch-1 runs for V8 to tier the code up, within a time budget for large models. */
const WARMUP_RUNS = 8;
const WARMUP_BUDGET_MS = 250;

export type TensorData = Float32Array | Int32Array;

interface ModelExports {
  memory: WebAssembly.Memory;
  run: (batch: number) => void;
}

function isModelExports(e: WebAssembly.Exports): e is WebAssembly.Exports & ModelExports {
  return e.memory instanceof WebAssembly.Memory && typeof e.run === 'function';
}

function elementCount(spec: TensorSpec, batch: number): number {
  return spec.shape.reduce<number>((n, d) => n * (d === 'N' ? batch : d), 1);
}

export class WasmExecutor {
  private constructor(
    private readonly exports: ModelExports,
    private readonly target: WasmTarget,
    private readonly inputs: TensorSpec[],
    private readonly outputs: TensorSpec[],
  ) {}

  static async create(
    code: Uint8Array<ArrayBuffer>,
    weights: Uint8Array,
    file: string,
    target: WasmTarget,
    signature: { inputs: TensorSpec[]; outputs: TensorSpec[] },
    where: string,
  ): Promise<WasmExecutor> {
    const fail = (e: unknown): BundleError => new BundleError(`bundle ${where}: '${file}' does not load in this engine: ${(e as Error).message}`, { cause: e });
    const module = await WebAssembly.compile(code).catch((e: unknown) => Promise.reject(fail(e)));
    const digest = WebAssembly.Module.customSections(module, LAYOUT_SECTION);
    await checkLayout(signature, target, file, digest.length === 1 ? new TextDecoder().decode(digest[0]) : undefined, where);
    const instance = await WebAssembly.instantiate(module, {}).catch((e: unknown) => Promise.reject(fail(e)));
    if (!isModelExports(instance.exports)) {
      throw new BundleError(`bundle ${where}: '${file}' does not export 'memory' and 'run'`);
    }
    const executor = new WasmExecutor(instance.exports, target, signature.inputs, signature.outputs);
    executor.reserve(1, target.weightsOffset + weights.length);
    new Uint8Array(executor.exports.memory.buffer, target.weightsOffset, weights.length).set(weights);
    executor.warmUp();
    return executor;
  }

  /**
   * Grows linear memory to hold the arena at this batch size (and at least
   * `minBytes`), after checking the size against wasm32's 4 GiB: a batch too
   * large is a LimitError saying how much it needs, never a failed grow.
   */
  private reserve(batch: number, minBytes = 0): void {
    const need = Math.max(minBytes, this.target.arenaOffset + evalAffine(this.target.arenaBytes, batch));
    const tooLarge = (limit: string): LimitError =>
      new LimitError(`batch ${batch} needs ${formatBytes(need)} of WebAssembly memory; ${limit} — split the batch`);
    if (need > WASM_MEMORY_LIMIT_BYTES) throw tooLarge(`the limit is ${formatBytes(WASM_MEMORY_LIMIT_BYTES)}`);
    const memory = this.exports.memory;
    const have = memory.buffer.byteLength;
    if (need <= have) return;
    try {
      memory.grow(Math.ceil((need - have) / WASM_PAGE_BYTES));
    } catch {
      throw tooLarge(`this engine could not grow its memory from ${formatBytes(have)} to that`);
    }
  }

  // Runs on zero inputs, rewritten before every run: the memory plan may reuse an input's
  // buffer once it is read, and leftover bytes could be invalid (e.g. out-of-range gather ids).
  private warmUp(): void {
    const zeros = this.inputs.map((spec) => (spec.dtype === 'f32' ? new Float32Array(elementCount(spec, 1)) : new Int32Array(elementCount(spec, 1))));
    const start = performance.now();
    for (let i = 0; i < WARMUP_RUNS && performance.now() - start < WARMUP_BUDGET_MS; i++) this.execute(zeros, 1);
  }

  /** Runs the model on inputs already checked against the signature; returns fresh output arrays. */
  execute(data: TensorData[], batch: number): TensorData[] {
    this.reserve(batch);
    const buffer = this.exports.memory.buffer;
    data.forEach((d, i) => {
      const at = evalAffine(this.target.inputOffsets[i], batch);
      const view = this.inputs[i].dtype === 'f32' ? new Float32Array(buffer, at, d.length) : new Int32Array(buffer, at, d.length);
      view.set(d);
    });
    this.exports.run(batch);
    const after = this.exports.memory.buffer;
    return this.outputs.map((spec, j) => {
      const at = evalAffine(this.target.outputOffsets[j], batch);
      const count = elementCount(spec, batch);
      return spec.dtype === 'f32' ? new Float32Array(after, at, count).slice() : new Int32Array(after, at, count).slice();
    });
  }
}
