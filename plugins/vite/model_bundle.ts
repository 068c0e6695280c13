/**
 * A compiled model as the plugin keeps it: the files the runtime reads, the
 * signature the generated module exports, the files the model was read from
 * and a content hash naming it (in the disk cache and in dev-server URLs).
 */
import type { CompiledBundle } from 'tfc-compiler';
import type { BundleManifest, TensorSpec } from 'tfc-runtime';

export const MANIFEST_FILE = 'manifest.json';

export interface ModelBundle {
  /** SHA-256 of the model's sources, the compiler and the plugin's options (sources.ts). */
  hash: string;
  name: string;
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
  /** File name → bytes: manifest.json and each target's code and weights, nothing else. */
  files: ReadonlyMap<string, Uint8Array>;
  /** Absolute paths of every file the model was read from. */
  sources: readonly string[];
}

/** The files of a bundle that the runtime reads: the manifest and each target's code and weights (not the generated loader). */
function runtimeFileNames(manifest: BundleManifest): string[] {
  const { wasm, webgpu } = manifest.targets;
  const names = [MANIFEST_FILE];
  if (wasm) names.push(wasm.file, ...(wasm.relaxedFile === undefined ? [] : [wasm.relaxedFile]), wasm.weights.file);
  if (webgpu) names.push(webgpu.file, webgpu.weights.file);
  return names;
}

export function toModelBundle(compiled: CompiledBundle, hash: string): ModelBundle {
  const files = new Map<string, Uint8Array>();
  for (const name of runtimeFileNames(compiled.manifest)) {
    const bytes = compiled.files.get(name);
    if (bytes === undefined) throw new Error(`tfc: the compiled bundle of '${compiled.name}' has no '${name}'`);
    files.set(name, bytes);
  }
  const { name, inputs, outputs } = compiled.manifest;
  return { hash, name, inputs, outputs, files, sources: compiled.sources };
}
