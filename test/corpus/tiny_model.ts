/**
 * A tiny valid Keras model, written in every form tfc reads, for the
 * malformed-input corpus and the fuzzers to damage: x: f32[N,4] -> Dense(3,
 * relu) -> Dense(2, softmax). Everything is generated here, so the corpus
 * commits no binary files.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeNpy } from '../../compiler/io/npy.js';
import { writeKeras2H5, writeKeras3Archive, type Keras2Options, type Keras3Options, type StoredTensor, type TfjsCase } from '../helpers/keras_writers.js';

export type Json = Record<string, unknown>;

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
}

const DENSE_DEFAULTS = { use_bias: true, kernel_regularizer: null, bias_regularizer: null, trainable: true };

function dense(name: string, units: number, activation: string): Json {
  return { units, activation, name, ...DENSE_DEFAULTS };
}

/** The model's weights in manifest order: deterministic values, shapes as Keras names them. */
export function tinyWeights(): Map<string, StoredTensor> {
  const shapes: [string, number[]][] = [
    ['dense/kernel', [4, 3]],
    ['dense/bias', [3]],
    ['dense_1/kernel', [3, 2]],
    ['dense_1/bias', [2]],
  ];
  let k = 0;
  return new Map(
    shapes.map(([name, shape]) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => Math.sin(++k) * 0.5);
      return [name, { shape, data }];
    }),
  );
}

export function sequentialTopology(): Json {
  return {
    class_name: 'Sequential',
    config: {
      name: 'tiny',
      layers: [
        { class_name: 'Dense', config: { ...dense('dense', 3, 'relu'), batch_input_shape: [null, 4], dtype: 'float32' } },
        { class_name: 'Dense', config: dense('dense_1', 2, 'softmax') },
      ],
    },
  };
}

export function functionalTopology(): Json {
  const node = (layer: string): unknown[][][] => [[[layer, 0, 0, {}]]];
  return {
    class_name: 'Model',
    config: {
      name: 'tiny',
      layers: [
        { name: 'x', class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, name: 'x' }, inbound_nodes: [] },
        { name: 'dense', class_name: 'Dense', config: dense('dense', 3, 'relu'), inbound_nodes: node('x') },
        { name: 'dense_1', class_name: 'Dense', config: dense('dense_1', 2, 'softmax'), inbound_nodes: node('dense') },
      ],
      input_layers: [['x', 0, 0]],
      output_layers: [['dense_1', 0, 0]],
    },
  };
}

export function weightBytes(weights: Map<string, StoredTensor>): Uint8Array {
  const total = [...weights.values()].reduce((n, t) => n + t.data.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const t of weights.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), offset);
    offset += t.data.byteLength;
  }
  return out;
}

export function weightEntries(weights: Map<string, StoredTensor>): WeightEntry[] {
  return [...weights].map(([name, t]) => ({ name, shape: [...t.shape], dtype: 'float32' }));
}

/** A TF.js layers model.json object over one shard, `weights.bin`. */
export function tinyModelJson(topology: Json = functionalTopology(), entries: WeightEntry[] = weightEntries(tinyWeights())): Json {
  return {
    format: 'layers-model',
    generatedBy: 'tfc corpus',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: ['weights.bin'], weights: entries }],
  };
}

export interface TfjsFiles {
  json: Json;
  weights: Uint8Array;
}

/** The valid model's files, for a case to edit before writing. */
export function tinyTfjsFiles(topology: Json = functionalTopology()): TfjsFiles {
  const weights = tinyWeights();
  return { json: tinyModelJson(topology, weightEntries(weights)), weights: weightBytes(weights) };
}

/** Writes model.json and weights.bin into `dir` (after `edit`, if given); returns the model.json path. */
export function writeTinyTfjs(dir: string, edit: (files: TfjsFiles) => void = () => undefined, topology?: Json): string {
  const files = tinyTfjsFiles(topology);
  edit(files);
  writeFileSync(path.join(dir, 'weights.bin'), files.weights);
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(files.json));
  return file;
}

export function tinyCase(topology: Json = functionalTopology()): TfjsCase {
  return { topology, weights: tinyWeights() };
}

export function tinyKeras3(options: Keras3Options = {}): Promise<Uint8Array> {
  return writeKeras3Archive(tinyCase(), options);
}

export function tinyKeras2H5(options: Keras2Options = {}): Promise<Uint8Array> {
  return writeKeras2H5(tinyCase(), options);
}

/** A valid input for the model: f32[batch, 4]. */
export function tinyInput(batch = 2): Uint8Array {
  const data = new Float32Array(batch * 4).map((_, i) => (i % 7) / 3 - 1);
  return writeNpy({ dtype: 'f32', shape: [batch, 4], data });
}
