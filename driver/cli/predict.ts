/**
 * `tfc predict DIR --input x.npy --output y.npy [--backend auto|wasm|webgpu]`:
 * runs a bundle written by `tfc build` with the runtime (runtime/), exactly
 * as an application would; .npy conventions as for `tfc run`
 * (tensor_files.ts). WebGPU in Node is Dawn (driver/gpu/dawn.ts), loaded
 * only when the backend may use it, its own diagnostics shown only with
 * --verbose. On success, one line on stderr says which backend ran (and,
 * when 'auto' fell back to wasm for a bundle with a webgpu target, why).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { bundleReader } from '../../runtime/files.js';
import { BundleError, DeviceLostError, InputError, loadModel, type Model, type ModelSummary, type TensorLike } from '../../runtime/index.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { CliError } from './errors.js';
import { checkOutputPaths, type KeptFile } from './output_paths.js';
import { checkBatch, checkOutputCount, readInputFile, toInputDtype, writeOutputFiles } from './tensor_files.js';

export interface PredictOptions {
  input: string[];
  output: string[];
  backend?: string;
  /** Let Dawn's and the Vulkan drivers' diagnostics through to stderr. */
  verbose?: boolean;
}

const BACKENDS = ['auto', 'wasm', 'webgpu'] as const;
type Backend = (typeof BACKENDS)[number];

/** Runtime errors are the user's to fix (a damaged bundle, inputs that do not fit, a lost GPU): report them as such. */
function asCliError(e: unknown): unknown {
  return e instanceof BundleError || e instanceof InputError || e instanceof DeviceLostError ? new CliError(e.message, { cause: e }) : e;
}

/**
 * Whether the bundle has a webgpu target, so 'auto' starts Dawn only when it
 * could be used; an unreadable manifest is left for loadModel to report.
 */
async function hasWebGpuTarget(dir: string): Promise<boolean> {
  try {
    // The runtime's reader: a FIFO or huge manifest.json is refused, not waited on.
    const { read } = await bundleReader(dir);
    const manifest = JSON.parse(new TextDecoder().decode(await read('manifest.json'))) as { targets?: { webgpu?: unknown } };
    return manifest.targets?.webgpu !== undefined;
  } catch {
    return false;
  }
}

/** The GPU for the runtime; when 'auto' found none for a webgpu bundle, why not (said in the backend line). */
interface GpuChoice {
  gpu?: GPU;
  unavailable?: string;
}

/**
 * The GPU to hand the runtime: Dawn's, when the backend may use one (a bundle
 * without a webgpu target is left to loadModel, which says so); for
 * --backend webgpu, finding no adapter (or no Dawn) is an error with the reason.
 */
async function gpuFor(backend: Backend, dir: string, verbose: boolean): Promise<GpuChoice> {
  if (backend === 'wasm' || !(await hasWebGpuTarget(dir))) return {};
  const { nodeGpu } = await import('../gpu/dawn.js');
  const found = await nodeGpu({ verbose });
  if (found.gpu) return { gpu: found.gpu };
  if (backend === 'webgpu') throw new CliError(`--backend webgpu: ${found.reason}`);
  return { unavailable: found.reason };
}

/** Which backend ran: for webgpu the adapter, for wasm the module (the relaxed-SIMD one where the engine has it). */
function backendLine(summary: ModelSummary): string {
  return summary.backend === 'webgpu' ? `webgpu (${summary.adapter})` : `wasm (${summary.wasmFile})`;
}

/** The files --output must not replace: the inputs and whatever is in the bundle folder. */
function keptFiles(dir: string, inputs: string[]): KeptFile[] {
  let bundleFiles: string[] = [];
  try {
    bundleFiles = readdirSync(dir);
  } catch {
    // not a folder: loadModel reports that
  }
  return [
    ...inputs.map((f) => ({ path: f, label: `--input '${f}'` })),
    ...bundleFiles.map((name) => ({ path: path.join(dir, name), label: `'${name}' of the bundle ${dir}` })),
  ];
}

export async function predictCommand(dir: string, options: PredictOptions): Promise<void> {
  const backend = (options.backend ?? 'auto') as Backend;
  if (!BACKENDS.includes(backend)) throw new CliError(`unknown --backend '${backend}' (backends: ${BACKENDS.join(', ')})`);
  const outputs = checkOutputPaths(options.output, keptFiles(dir, options.input));
  const { gpu, unavailable } = await gpuFor(backend, dir, options.verbose === true);
  let model: Model;
  try {
    model = await loadModel(dir, { backend, ...(gpu ? { gpu } : {}) });
  } catch (e) {
    throw asCliError(e);
  }
  let results: TensorLike[];
  try {
    checkOutputCount(model.outputs, options.output, `bundle ${dir}`);
    const inputs = await Promise.all(options.input.map(readInputFile));
    inputs.forEach((t, i) => checkBatch(t, model.inputs[i], i, options.input[i]));
    const converted = inputs.map((t, i) => toInputDtype(t, model.inputs[i], i, options.input[i]));
    results = (await model.predict(converted.map((t) => ({ data: t.data as Float32Array | Int32Array, shape: t.shape })))) as TensorLike[];
  } catch (e) {
    throw asCliError(e);
  } finally {
    model.dispose();
  }
  const tensors: Tensor[] = results.map((r, j) => ({ dtype: model.outputs[j].dtype, shape: [...r.shape], data: r.data }));
  await writeOutputFiles(outputs, tensors);
  const fallback = unavailable === undefined ? '' : `; webgpu not used: ${unavailable}`;
  process.stderr.write(`tfc: predicted with ${backendLine(model.summary())}${fallback}\n`);
}
