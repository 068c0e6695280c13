/**
 * Runs one model written in two forms through the importers and the
 * reference interpreter: the canonical TF.js form (a model built with
 * @tensorflow/tfjs, taken as `TfjsCase`) and a Keras file written from it in
 * some Keras version's form. Used to check that every serialization variant
 * means the same model.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { tfjsModelFromJson } from '../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { f32, type Tensor } from '../../compiler/ir/tensor.js';
import type { ModelSpec } from '../../compiler/layers/layer.js';
import { SeededRandom } from '../../compiler/util/random.js';
import type { Json, StoredTensor, TfjsCase } from './keras_case.js';
import { compareTensors } from './tolerance.js';

/** The model's topology and weights as TF.js saves them, with every weight set to a random trained-looking value. */
export async function tfjsCaseOf(model: tf.LayersModel, seed = 1): Promise<TfjsCase> {
  let topology: Json | undefined;
  const weights = new Map<string, StoredTensor>();
  const random = new SeededRandom(seed);
  await model.save({
    save: async (artifacts) => {
      topology = artifacts.modelTopology as Json;
      for (const spec of artifacts.weightSpecs ?? []) {
        const n = spec.shape.reduce((a, b) => a * b, 1);
        const positive = /(gamma|moving_variance)$/.test(spec.name);
        const data = Float32Array.from({ length: n }, () => (positive ? random.uniform(0.5, 1.5) : random.uniform(-0.6, 0.6)));
        weights.set(spec.name, { shape: spec.shape, data });
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!topology) throw new Error('TF.js saved no topology');
  return { topology: { class_name: topology.class_name, config: topology.config }, weights };
}

/** The canonical form: the TF.js topology and weights through the TF.js importer. */
export function canonicalSpec(tc: TfjsCase): ModelSpec {
  const tensors = new Map([...tc.weights].map(([name, t]) => [name, f32(t.shape, t.data)]));
  return tfjsModelFromJson({ format: 'layers-model', modelTopology: tc.topology }, 'canonical/model.json', tensors);
}

/** Deterministic inputs of batch 3 for a spec's inputs (token ids for int inputs). */
export function sampleInputs(spec: ModelSpec, seed = 7): Tensor[] {
  const random = new SeededRandom(seed);
  return spec.inputs.map((input) => {
    const shape = input.shape.map((d) => (d === 'N' ? 3 : d)) as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    return f32(shape, Array.from({ length: n }, () => random.uniform(-2, 2)));
  });
}

export function run(spec: ModelSpec, inputs: Tensor[]): Tensor[] {
  return interpret(lowerModel(spec).graph, inputs);
}

/** Differences between a spec's outputs and the canonical form's, on the same inputs (empty when they agree). */
export function differences(spec: ModelSpec, tc: TfjsCase): string[] {
  const canonical = canonicalSpec(tc);
  const inputs = sampleInputs(canonical);
  const want = run(canonical, inputs);
  const got = run(spec, inputs);
  if (got.length !== want.length) return [`${got.length} outputs, expected ${want.length}`];
  return got.flatMap((g, i) => {
    const problem = compareTensors(g, want[i]);
    return problem ? [`output ${i}: ${problem}`] : [];
  });
}

/** A scratch folder for written files, removed by `remove`. */
export function scratchDir(): { write: (name: string, bytes: Uint8Array) => string; folder: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-variants-'));
  return {
    folder: (name) => {
      const sub = path.join(dir, name);
      mkdirSync(sub);
      return sub;
    },
    write: (name, bytes) => {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

