/**
 * The JavaScript module an app gets for `import classifier from './x.model.ts?tfc'`:
 * the model's name and signature, the URL of each bundle file, and
 * loadModel(options), which loads them with the app's own tfc-runtime.
 * How a file's URL is written is the caller's: `import.meta.ROLLUP_FILE_URL_<ref>`
 * for an emitted asset, a dev-server URL in `vite dev`.
 */
import type { LoadOptions, Model, TensorSpec } from 'tfc-runtime';
import type { ModelBundle } from './model_bundle.js';

/** What a `?tfc` import's default export is (client.d.ts declares it for `*?tfc`). */
export interface TfcModel {
  /** The model's name. */
  readonly name: string;
  /** The model's inputs in order: name, dtype and shape ('N' is the batch). */
  readonly inputs: readonly TensorSpec[];
  /** The model's outputs in order. */
  readonly outputs: readonly TensorSpec[];
  /** Each bundle file's URL (hashed asset names after a build), manifest.json included. */
  readonly files: Readonly<Record<string, string>>;
  /** Loads the compiled model with tfc-runtime; `backend: 'auto'` (the default) takes WebGPU where an adapter exists, else WebAssembly. */
  loadModel(options?: LoadOptions): Promise<Model>;
}

/** The module's source; `fileUrl(name)` is a JavaScript expression for the URL of bundle file `name`. */
export function modelModuleCode(bundle: ModelBundle, fileUrl: (name: string) => string): string {
  const json = (value: unknown): string => JSON.stringify(value);
  const files = [...bundle.files.keys()].map((name) => `  ${json(name)}: ${fileUrl(name)},`);
  return [
    `import { loadModel as loadBundle } from 'tfc-runtime';`,
    `export const name = ${json(bundle.name)};`,
    `export const inputs = Object.freeze(${json(bundle.inputs)});`,
    `export const outputs = Object.freeze(${json(bundle.outputs)});`,
    `export const files = Object.freeze({`,
    ...files,
    `});`,
    `export function loadModel(options) {`,
    `  return loadBundle({ files }, options);`,
    `}`,
    `export default Object.freeze({ name, inputs, outputs, files, loadModel });`,
    '',
  ].join('\n');
}
