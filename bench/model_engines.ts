/**
 * The engines bench/models.ts compares, behind one interface: load a model
 * fresh from its files, then predict end to end (inputs from plain arrays in,
 * outputs read back into plain arrays), as an application would.
 *
 * - tfc: the runtime's `loadModel` on the bundle (it reads and verifies the
 *   files, instantiates model.wasm and warms it up).
 * - TF.js (wasm or cpu backend): `tf.loadLayersModel` on model.json and its
 *   shards read from disk; a prediction makes the input tensors, runs
 *   `model.predict` and reads the outputs with `dataSync()`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel, type ModelOutput, type TensorLike } from '../runtime/index.js';
import type { BenchCase, BenchInput } from './model_cases.js';

export type EngineName = 'tfc' | 'tfjs-wasm' | 'tfjs-cpu';
export const ENGINES: readonly EngineName[] = ['tfc', 'tfjs-wasm', 'tfjs-cpu'];

/** A loaded model on one engine. */
export interface LoadedModel {
  /** Makes this engine's backend current (outside the timed region). */
  activate(): Promise<void>;
  predict(inputs: BenchInput[]): Promise<Float32Array[]>;
  dispose(): void;
}

function outputList(y: ModelOutput): TensorLike[] {
  if (Array.isArray(y)) return y;
  if ('data' in y && 'shape' in y) return [y as TensorLike];
  return Object.values(y);
}

async function loadTfc(c: BenchCase): Promise<LoadedModel> {
  const m = await loadModel(c.bundleDir);
  return {
    activate: async () => {},
    predict: async (inputs) => outputList(await m.predict(inputs)).map((t) => Float32Array.from(t.data)),
    dispose: () => m.dispose(),
  };
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** model.json and its shards, concatenated in manifest order as TF.js expects. */
async function tfjsArtifacts(modelJson: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(modelJson, 'utf8')) as ModelJson;
  const shards = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(path.join(path.dirname(modelJson), p))));
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of shards) {
    weightData.set(s, offset);
    offset += s.length;
  }
  return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: weightData.buffer };
}

async function loadTfjs(c: BenchCase, backend: 'wasm' | 'cpu'): Promise<LoadedModel> {
  const activate = async (): Promise<void> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  await activate();
  const m = await tf.loadLayersModel(tf.io.fromMemory(await tfjsArtifacts(c.modelJson)));
  return {
    activate,
    predict: async (inputs) => {
      const xs = inputs.map((x) => tf.tensor(x.data, x.shape, x.data instanceof Int32Array ? 'int32' : 'float32'));
      const raw = m.predict(xs.length === 1 ? xs[0] : xs);
      const ys = Array.isArray(raw) ? raw : [raw];
      const out = ys.map((y) => Float32Array.from(y.dataSync()));
      tf.dispose([...xs, ...ys]);
      return out;
    },
    dispose: () => m.dispose(),
  };
}

export function loadOn(engine: EngineName, c: BenchCase): Promise<LoadedModel> {
  if (engine === 'tfc') return loadTfc(c);
  return loadTfjs(c, engine === 'tfjs-wasm' ? 'wasm' : 'cpu');
}
