/**
 * tfc's runtime: loads a bundle written by `tfc build` and runs it on the
 * bundle's WASM module or its WebGPU kernels. No dependencies, no compiler;
 * works in Node 20+ and browsers.
 *
 *   const model = await loadModel('./bundle');   // or { files: { 'manifest.json': url, ... } }
 *   const y = await model.predict({ data: new Float32Array(16), shape: [1, 16] });
 */
import { BundleError } from './errors.js';
import { evalAffine, parseManifest, type BundleManifest, type WasmTarget, type WebGpuTarget } from './manifest.js';
import { bundleReader, readChecked, type BundleFiles, type ReadFile } from './files.js';
import { checkLayout, wgslLayoutDigest } from './layout_digest.js';
import { Model } from './model.js';
import { WasmExecutor, type TensorData } from './wasm.js';
import { WebGpuExecutor } from './webgpu.js';

export { BundleError, DeviceLostError, InputError } from './errors.js';
export { LimitError } from './limits.js';
export { FORMAT_VERSION, type BundleManifest, type TensorSpec, type DTypeName, type Dim } from './manifest.js';
export type { ModelInput, ModelOutput, TensorLike } from './inputs.js';
export type { TensorData } from './wasm.js';
export { Model, type ModelSummary } from './model.js';
export type { BundleFiles } from './files.js';

export type BackendName = 'auto' | 'wasm' | 'webgpu';

/**
 * What loadModel asks of a WebGPU entry point itself; any WebGPU `GPU` fits (`navigator.gpu`, or `create([])` of
 * the npm package `webgpu`). Declared here so that the runtime's types need no @webgpu/types.
 */
export interface WebGpuEntry {
  requestAdapter(): Promise<object | null>;
}

export interface LoadOptions {
  /** Which backend runs the model; 'auto' (the default) picks webgpu when the bundle has it and an adapter exists, else wasm. */
  backend?: BackendName;
  /** The WebGPU entry point (default `navigator.gpu`); in Node, e.g. `create([])` of the npm package `webgpu`. */
  gpu?: WebGpuEntry;
  /** Load the bundle's relaxed-SIMD module where the engine has relaxed SIMD (default true); false forces the plain one. */
  relaxedSimd?: boolean;
}

const BACKENDS: readonly BackendName[] = ['auto', 'wasm', 'webgpu'];

// A module whose one function is f32x4.relaxed_madd on three zero vectors: it validates iff the engine has relaxed SIMD.
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_PROBE = new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 2, 0x0b,
]);

interface Loading {
  manifest: BundleManifest;
  where: string;
  read: ReadFile;
}

/** Reads a file the manifest lists, checked against its entry and the byte count its target declares. */
async function readSized({ manifest, where, read }: Loading, file: { file: string; bytes: number }): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readChecked(read, where, file.file, manifest.files[file.file]);
  if (bytes.length !== file.bytes) throw new BundleError(`bundle ${where}: '${file.file}' has ${bytes.length} bytes, the manifest says ${file.bytes}`);
  return bytes;
}

async function loadWasm(loading: Loading, target: WasmTarget, relaxedSimd: boolean): Promise<Model> {
  const { manifest, where, read } = loading;
  const relaxed = relaxedSimd && target.relaxedFile !== undefined && WebAssembly.validate(RELAXED_PROBE);
  const file = relaxed && target.relaxedFile !== undefined ? target.relaxedFile : target.file;
  const [code, weights] = await Promise.all([readChecked(read, where, file, manifest.files[file]), readSized(loading, target.weights)]);
  const executor = await WasmExecutor.create(code, weights, file, target, manifest, where);
  // The instance and its memory are freed with the model object; there is nothing to release early.
  const backend = { execute: async (data: TensorData[], batch: number) => executor.execute(data, batch), dispose: () => undefined };
  return new Model(manifest, backend, {
    backend: 'wasm',
    wasmFile: file,
    relaxedSimd: file === target.relaxedFile,
    codeBytes: code.length,
    weightBytes: weights.length,
    arenaBytesAtBatch1: evalAffine(target.arenaBytes, 1),
  });
}

async function loadWebGpu(loading: Loading, target: WebGpuTarget, gpu: GPU): Promise<Model> {
  const { manifest, where, read } = loading;
  const [code, weights] = await Promise.all([readChecked(read, where, target.file, manifest.files[target.file]), readSized(loading, target.weights)]);
  const wgsl = new TextDecoder().decode(code);
  await checkLayout(manifest, target, target.file, wgslLayoutDigest(wgsl), where);
  const executor = await WebGpuExecutor.create(gpu, wgsl, weights, target, manifest, where);
  return new Model(manifest, executor, {
    backend: 'webgpu',
    adapter: executor.adapterName,
    dispatches: target.dispatches.length,
    codeBytes: code.length,
    weightBytes: weights.length,
    arenaBytesAtBatch1: evalAffine(target.arenaBytes, 1),
  });
}

/** Loads the bundle in a directory (Node), at a URL, or from a map of its files' URLs; every file is verified before use. */
export async function loadModel(location: string | URL | BundleFiles, options: LoadOptions = {}): Promise<Model> {
  const backend = options.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) throw new BundleError(`unknown backend '${String(backend)}' (backends: ${BACKENDS.join(', ')})`);
  const { where, read } = await bundleReader(location);
  const manifest = parseManifest(new TextDecoder().decode(await read('manifest.json')), `bundle ${where}`);
  const loading: Loading = { manifest, where, read };
  const { wasm, webgpu } = manifest.targets;
  // The public type names only what loadModel calls itself; the executor uses the rest of the WebGPU API.
  const gpu = (options.gpu as GPU | undefined) ?? globalThis.navigator?.gpu;
  const relaxedSimd = options.relaxedSimd !== false;
  const lacks = (target: string): BundleError =>
    new BundleError(`bundle ${where} has no ${target} target (rebuild it with \`tfc build --target ${target}\`, or --target wasm,webgpu for both)`);
  if (backend === 'wasm') {
    if (!wasm) throw lacks('wasm');
    return loadWasm(loading, wasm, relaxedSimd);
  }
  if (backend === 'webgpu') {
    if (!webgpu) throw lacks('webgpu');
    if (!gpu) {
      throw new BundleError(
        "no WebGPU is available here (no navigator.gpu): pass { gpu } to loadModel (in Node, create([]) from the npm package 'webgpu'), or use backend 'wasm'",
      );
    }
    return loadWebGpu(loading, webgpu, gpu);
  }
  if (webgpu && gpu && (await gpu.requestAdapter()) !== null) return loadWebGpu(loading, webgpu, gpu);
  if (wasm) return loadWasm(loading, wasm, relaxedSimd);
  throw new BundleError(
    `bundle ${where} has only a webgpu target and no WebGPU adapter is available here (pass { gpu } to loadModel, or rebuild with \`tfc build --target wasm,webgpu\`)`,
  );
}
