/**
 * What the file fuzzers damage and how each damaged input is run, in
 * process: real model files (small conformance models as model.json +
 * shards, and the same models written as .keras and .h5), .npy files and a
 * bundle. A target draws a mutation with fast-check and runs the damaged
 * input through the importer, lowering, the verifier and the interpreter
 * (model files), `readNpy` (.npy) or `loadModel` + `predict` (bundles); a
 * result is checked for consistency (every output holds as many values as
 * its shape says), since a damaged model has no expected numbers.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { h5ModelFromBytes } from '../../compiler/frontend/keras/h5.js';
import { readHdf5 } from '../../compiler/frontend/keras/hdf5.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { keras3ModelFromBytes } from '../../compiler/frontend/keras/keras3.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { readNpy, writeNpy } from '../../compiler/io/npy.js';
import { sizeOf, type Tensor } from '../../compiler/ir/tensor.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import type { ModelSpec } from '../../compiler/layers/layer.js';
import { loadModel, type TensorLike } from '../../runtime/index.js';
import { readTfjsCase, writeKeras2H5, writeKeras3Archive } from '../helpers/keras_writers.js';
import { conformanceModelDir, firstSampleInputs } from './models.js';
import { applyByteEdits, applyJsonEdits, byteEdits, jsonEdits, type ByteEdit, type JsonEdit } from './mutate.js';

/** Small conformance models: every layer family the importers read, each quick to interpret. */
export const FUZZ_MODELS = ['dense_mlp', 'merge_functional', 'embedding_dense', 'simple_rnn', 'conv1d', 'batchnorm'];

interface BaseModel {
  name: string;
  dir: string;
  modelJson: unknown;
  keras: Uint8Array;
  h5: Uint8Array;
  inputs: Tensor[];
}

export interface FuzzTarget {
  name: string;
  /** A damaged input, runnable: resolves on a result, throws on an error. */
  arbitrary: fc.Arbitrary<{ label: string; run: () => Promise<void> }>;
}

function checkOutputs(outputs: readonly { data: ArrayLike<number>; shape: readonly number[] }[]): void {
  for (const [j, t] of outputs.entries()) {
    if (t.data.length !== sizeOf([...t.shape])) throw new Error(`output ${j} holds ${t.data.length} values for shape [${t.shape.join(',')}]`);
  }
}

/** The importer's spec through lowering, the verifier and the interpreter on the case's first sample. */
function runSpec(spec: ModelSpec, inputs: Tensor[]): void {
  const { graph } = lowerModel(spec);
  verifyGraph(graph);
  checkOutputs(interpret(graph, inputs));
}

function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfc-fuzz-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function loadBase(name: string): Promise<BaseModel> {
  const dir = conformanceModelDir(name);
  const tc = readTfjsCase(dir);
  return {
    name,
    dir,
    modelJson: JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as unknown,
    keras: await writeKeras3Archive(tc),
    h5: await writeKeras2H5(tc),
    inputs: firstSampleInputs(dir),
  };
}

const pick = <T>(items: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...items);

function describeEdits(edits: readonly (ByteEdit | JsonEdit)[]): string {
  return JSON.stringify(edits);
}

/** model.json (structural edits) with its real shards beside it, through loadKerasFile. */
function tfjsJsonTarget(models: BaseModel[]): FuzzTarget {
  return {
    name: 'model.json structure',
    arbitrary: fc.tuple(pick(models), jsonEdits).map(([m, edits]) => ({
      label: `${m.name} model.json ${describeEdits(edits)}`,
      run: () =>
        withTempDir(async (dir) => {
          for (const f of readdirSync(m.dir).filter((n) => n.endsWith('.bin'))) cpSync(path.join(m.dir, f), path.join(dir, f));
          writeFileSync(path.join(dir, 'model.json'), JSON.stringify(applyJsonEdits(m.modelJson, edits)));
          runSpec(await loadKerasFile(path.join(dir, 'model.json')), m.inputs);
        }),
    })),
  };
}

/** A weight shard damaged byte-wise, through loadKerasFile. */
function shardTarget(models: BaseModel[]): FuzzTarget {
  return {
    name: 'weight shard bytes',
    arbitrary: fc.tuple(pick(models), byteEdits).map(([m, edits]) => ({
      label: `${m.name} weights.bin ${describeEdits(edits)}`,
      run: () =>
        withTempDir(async (dir) => {
          writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m.modelJson));
          writeFileSync(path.join(dir, 'weights.bin'), applyByteEdits(new Uint8Array(readFileSync(path.join(m.dir, 'weights.bin'))), edits));
          runSpec(await loadKerasFile(path.join(dir, 'model.json')), m.inputs);
        }),
    })),
  };
}

function kerasBytesTarget(models: BaseModel[]): FuzzTarget {
  return {
    name: '.keras bytes',
    arbitrary: fc.tuple(pick(models), byteEdits).map(([m, edits]) => ({
      label: `${m.name}.keras ${describeEdits(edits)}`,
      run: async () => runSpec(await keras3ModelFromBytes(applyByteEdits(m.keras, edits), `${m.name}.keras`), m.inputs),
    })),
  };
}

/** config.json of a .keras archive edited structurally, the archive zipped again. */
function kerasConfigTarget(models: BaseModel[]): FuzzTarget {
  return {
    name: '.keras config.json structure',
    arbitrary: fc.tuple(pick(models), jsonEdits).map(([m, edits]) => ({
      label: `${m.name}.keras config.json ${describeEdits(edits)}`,
      run: async () => {
        const entries = unzipSync(m.keras);
        entries['config.json'] = strToU8(JSON.stringify(applyJsonEdits(JSON.parse(strFromU8(entries['config.json'])), edits)));
        runSpec(await keras3ModelFromBytes(zipSync(entries), `${m.name}.keras`), m.inputs);
      },
    })),
  };
}

/** A Keras 2 .h5 damaged byte-wise; the edits land in the first 4 KiB, where HDF5 keeps its metadata, half the time. */
function h5Target(models: BaseModel[]): FuzzTarget {
  return {
    name: '.h5 bytes',
    arbitrary: fc.tuple(pick(models), byteEdits, fc.boolean()).map(([m, edits, head]) => ({
      label: `${m.name}.h5 ${head ? 'head ' : ''}${describeEdits(edits)}`,
      run: async () => {
        const bytes = head ? new Uint8Array([...applyByteEdits(m.h5.subarray(0, 4096), edits), ...m.h5.subarray(4096)]) : applyByteEdits(m.h5, edits);
        runSpec(await h5ModelFromBytes(bytes, `${m.name}.h5`), m.inputs);
      },
    })),
  };
}

function npyTarget(): FuzzTarget {
  const bases = [
    writeNpy({ dtype: 'f32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }),
    writeNpy({ dtype: 'i32', shape: [4], data: new Int32Array([1, -2, 3, 7]) }),
    writeNpy({ dtype: 'f32', shape: [], data: new Float32Array([0.5]) }),
  ];
  return {
    name: '.npy bytes',
    arbitrary: fc.tuple(fc.nat(bases.length - 1), byteEdits).map(([i, edits]) => ({
      label: `npy ${i} ${describeEdits(edits)}`,
      run: async () => checkOutputs([readNpy(applyByteEdits(bases[i], edits), 'x.npy')]),
    })),
  };
}

/** A bundle folder built by `tfc build`, damaged: its manifest edited structurally, or one file byte-wise. */
function bundleTarget(bundleDir: string, input: TensorLike): FuzzTarget {
  const files = readdirSync(bundleDir).filter((f) => f !== 'manifest.json').sort();
  const manifest = JSON.parse(readFileSync(path.join(bundleDir, 'manifest.json'), 'utf8')) as unknown;
  const predictIn = async (dir: string): Promise<void> => {
    const model = await loadModel(dir, { backend: 'wasm' });
    try {
      const out = await model.predict(input);
      checkOutputs([out as TensorLike]);
    } finally {
      model.dispose();
    }
  };
  const edited = (write: (dir: string) => void) => () =>
    withTempDir(async (tmp) => {
      const dir = path.join(tmp, 'bundle');
      cpSync(bundleDir, dir, { recursive: true });
      write(dir);
      await predictIn(dir);
    });
  const manifestEdit = jsonEdits.map((edits) => ({
    label: `manifest.json ${describeEdits(edits)}`,
    run: edited((dir) => writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(applyJsonEdits(manifest, edits)))),
  }));
  const fileEdit = fc.tuple(pick(files), byteEdits).map(([file, edits]) => ({
    label: `${file} ${describeEdits(edits)}`,
    run: edited((dir) => writeFileSync(path.join(dir, file), applyByteEdits(new Uint8Array(readFileSync(path.join(dir, file))), edits))),
  }));
  return { name: 'bundle', arbitrary: fc.oneof(manifestEdit, fileEdit) };
}

/** Every target, over the given models and a built bundle of a model with one f32[N,16] input (dense_mlp). */
export async function fuzzTargets(bundleDir: string): Promise<FuzzTarget[]> {
  const models = await Promise.all(FUZZ_MODELS.map(loadBase));
  // Start the HDF5 worker now, so its start-up is not counted against the first .h5 case's time limit.
  await readHdf5(models[0].h5, 'warm-up.h5', () => undefined);
  const input: TensorLike = { data: new Float32Array(2 * 16).map((_, i) => Math.sin(i)), shape: [2, 16] };
  return [tfjsJsonTarget(models), shardTarget(models), kerasBytesTarget(models), kerasConfigTarget(models), h5Target(models), npyTarget(), bundleTarget(bundleDir, input)];
}
