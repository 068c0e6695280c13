/**
 * The corpus through the APIs: a bundle damaged in a fresh folder, then
 * `loadModel` (and `predict`) from tfc/runtime, or a model file loaded with
 * the compiler's importer. Each case names the typed error it must throw and
 * what its message must say.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelFileError } from '../../compiler/frontend/keras/errors.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { BundleError, InputError, loadModel, type ModelInput } from '../../runtime/index.js';
import { copyBundle, type Fixtures } from './case.js';
import { groupOf, layersOf } from './cases/common.js';
import { writeTinyTfjs, type Json, type TfjsFiles } from './tiny_model.js';

export interface ApiCase {
  name: string;
  /** Writes the case's files into `dir` and returns the call that must fail. */
  setup: (dir: string, fx: Fixtures) => () => Promise<unknown>;
  error: abstract new (...args: never[]) => Error;
  expect: RegExp;
}

type Manifest = Json & { files: Record<string, { bytes: number; sha256: string }>; targets: { wasm: Json & { weights: Json } } };

/** A damaged copy of the bundle, loaded with `loadModel(dir, options)`. */
function load(edit: (b: string, m: Manifest) => void, options: Parameters<typeof loadModel>[1] = { backend: 'wasm' }): ApiCase['setup'] {
  return (dir, fx) => {
    const b = copyBundle(fx, dir);
    const file = path.join(b, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    edit(b, manifest);
    writeFileSync(file, JSON.stringify(manifest));
    return () => loadModel(b, options);
  };
}

/** The intact bundle, loaded, then `predict(input)`. */
function predict(input: () => unknown): ApiCase['setup'] {
  return (dir, fx) => {
    const b = copyBundle(fx, dir);
    return async () => (await loadModel(b, { backend: 'wasm' })).predict(input() as ModelInput);
  };
}

/** The tiny model, edited, through the compiler's Keras importer. */
function importer(edit: (f: TfjsFiles) => void): ApiCase['setup'] {
  return (dir) => {
    const file = writeTinyTfjs(dir, edit);
    return () => loadKerasFile(file);
  };
}

const f32 = (shape: number[]): { data: Float32Array; shape: number[] } => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const API_CASES: ApiCase[] = [
  {
    name: 'loadModel: no manifest.json',
    setup: (dir, fx) => {
      const b = copyBundle(fx, dir);
      rmSync(path.join(b, 'manifest.json'));
      return () => loadModel(b, { backend: 'wasm' });
    },
    error: BundleError,
    expect: /manifest\.json/,
  },
  { name: 'loadModel: weights.bin missing', setup: load((b) => rmSync(path.join(b, 'weights.bin'))), error: BundleError, expect: /weights\.bin/ },
  { name: 'loadModel: format version 99', setup: load((_b, m) => (m.formatVersion = 99)), error: BundleError, expect: /unknown bundle format version 99/ },
  { name: 'loadModel: not a tfc manifest', setup: load((_b, m) => (m.format = 'pwa')), error: BundleError, expect: /not a tfc bundle manifest/ },
  { name: 'loadModel: truncated weights', setup: load((b) => truncateSync(path.join(b, 'weights.bin'), 7)), error: BundleError, expect: /weights\.bin/ },
  {
    name: 'loadModel: a flipped byte in the weights',
    setup: load((b) => {
      const bytes = readFileSync(path.join(b, 'weights.bin'));
      bytes[bytes.length - 1] ^= 0x40;
      writeFileSync(path.join(b, 'weights.bin'), bytes);
    }),
    error: BundleError,
    expect: /weights\.bin' is corrupt/,
  },
  { name: 'loadModel: unknown backend', setup: load(() => undefined, { backend: 'tpu' as 'wasm' }), error: BundleError, expect: /unknown backend 'tpu'/ },
  { name: 'loadModel: webgpu on a wasm-only bundle', setup: load(() => undefined, { backend: 'webgpu' }), error: BundleError, expect: /no webgpu target/ },
  { name: 'loadModel: a negative weights offset', setup: load((_b, m) => (m.targets.wasm.weightsOffset = -16)), error: BundleError, expect: /weightsOffset/ },
  {
    name: 'loadModel: manifest naming ../ for the weights',
    setup: load((b, m) => {
      const bytes = readFileSync(path.join(b, 'weights.bin'));
      writeFileSync(path.join(b, '..', 'stolen.bin'), bytes);
      m.files['../stolen.bin'] = { bytes: bytes.length, sha256: sha256(bytes) };
      m.targets.wasm.weights.file = '../stolen.bin';
    }),
    error: BundleError,
    expect: /\.\.\/stolen\.bin/,
  },
  { name: 'loadModel: an edited input shape', setup: load((_b, m) => ((m.inputs as Json[])[0].shape = ['N', 2, 2])), error: BundleError, expect: /manifest/ },
  { name: 'loadModel: an absurd output shape', setup: load((_b, m) => ((m.outputs as Json[])[0].shape = ['N', 1e12, 1e12])), error: BundleError, expect: /manifest|limit|shape/ },
  { name: 'predict: Int32Array for an f32 input', setup: predict(() => ({ data: new Int32Array(8), shape: [2, 4] })), error: InputError, expect: /input 0 'x' must be f32/ },
  { name: 'predict: wrong shape', setup: predict(() => f32([2, 5])), error: InputError, expect: /input 0 'x' has shape \[2,5\], expected \[N,4\]/ },
  { name: 'predict: two inputs for one', setup: predict(() => [f32([1, 4]), f32([1, 4])]), error: InputError, expect: /predict got 2 input\(s\), the model takes 1/ },
  { name: 'predict: data shorter than the shape', setup: predict(() => ({ data: new Float32Array(3), shape: [1, 4] })), error: InputError, expect: /3 values for shape \[1,4\]/ },
  { name: 'predict: an unknown input name', setup: predict(() => ({ nope: f32([1, 4]) })), error: InputError, expect: /named 'nope'/ },
  { name: 'predict: a NaN dimension', setup: predict(() => ({ data: new Float32Array(4), shape: [NaN, 4] })), error: InputError, expect: /shape/ },
  { name: 'predict: a batch of 2^31 with 8 values', setup: predict(() => ({ data: new Float32Array(8), shape: [2 ** 31, 4] })), error: InputError, expect: /values for shape|limit/ },
  { name: 'predict: a number', setup: predict(() => 42), error: InputError, expect: /\{data, shape\}/ },
  { name: 'loadKerasFile: a cycle', setup: importer((f) => (layersOf(f)[1].inbound_nodes = [[['dense_1', 0, 0, {}]]])), error: ModelFileError, expect: /model\.json/ },
  { name: 'loadKerasFile: shard outside the folder', setup: importer((f) => (groupOf(f).paths = ['../../../../etc/passwd'])), error: ModelFileError, expect: /etc\/passwd/ },
  { name: 'loadKerasFile: float64 weights', setup: importer((f) => (groupOf(f).weights[0].dtype = 'float64')), error: ModelFileError, expect: /float64/ },
];
