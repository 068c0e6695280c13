/**
 * tfc's runtime: loads a bundle written by `tfc build` and runs it. No
 * dependencies, no compiler; works in Node 20+ and browsers.
 *
 *   const model = await loadModel('./bundle');
 *   const y = await model.predict({ data: new Float32Array(16), shape: [1, 16] });
 */
import { BundleError } from './errors.js';
import { parseManifest } from './manifest.js';
import { bundleReader, readChecked } from './files.js';
import { Model } from './model.js';
import { WasmExecutor } from './wasm.js';

export { BundleError, InputError } from './errors.js';
export { FORMAT_VERSION, type BundleManifest, type TensorSpec, type DTypeName, type Dim } from './manifest.js';
export type { ModelInput, ModelOutput, TensorLike } from './inputs.js';
export type { TensorData } from './wasm.js';
export { Model, type ModelSummary } from './model.js';

export interface LoadOptions {
  /** Which backend runs the model; 'auto' picks the best one the bundle and engine have (today: wasm). */
  backend?: 'auto' | 'wasm';
  /** Load the bundle's relaxed-SIMD module where the engine has relaxed SIMD (default true); false forces the plain one. */
  relaxedSimd?: boolean;
}

// A module whose one function is f32x4.relaxed_madd on three zero vectors: it validates iff the engine has relaxed SIMD.
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_PROBE = new Uint8Array([
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 2, 0x0b,
]);

/** Loads the bundle in a directory (Node) or at a URL; every file is verified before use. */
export async function loadModel(location: string | URL, options: LoadOptions = {}): Promise<Model> {
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'wasm') {
    throw new BundleError(`unknown backend '${String(backend)}' (backends: auto, wasm)`);
  }
  const { where, read } = await bundleReader(location);
  const manifest = parseManifest(new TextDecoder().decode(await read('manifest.json')), `bundle ${where}`);
  const target = manifest.targets.wasm;
  const relaxed = options.relaxedSimd !== false && target.relaxedFile !== undefined && WebAssembly.validate(RELAXED_PROBE);
  const file = relaxed && target.relaxedFile !== undefined ? target.relaxedFile : target.file;
  const [code, weights] = await Promise.all([
    readChecked(read, where, file, manifest.files[file]),
    readChecked(read, where, manifest.weights.file, manifest.files[manifest.weights.file]),
  ]);
  if (weights.length !== manifest.weights.bytes) {
    throw new BundleError(`bundle ${where}: '${manifest.weights.file}' has ${weights.length} bytes, the manifest says ${manifest.weights.bytes}`);
  }
  const executor = await WasmExecutor.create(code, weights, file, target, manifest, where);
  return new Model(manifest, executor, file);
}
