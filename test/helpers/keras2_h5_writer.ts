/**
 * Writes `model.save('m.h5')` files as each Keras version lays them out
 * (keras/engine/saving.py in Keras 2.1-2.3, tf_keras/saving/legacy/hdf5_format.py
 * in TF 2.x, keras/src/legacy/saving/legacy_h5_format.py in Keras 3):
 * root attributes `model_config`, `keras_version`, `backend`; a group
 * `model_weights` whose `layer_names` lists the model's layers; per layer a
 * group whose `weight_names` lists its weights in Keras' order (a nested
 * model: all its layers' trainable weights, then their non-trainable ones),
 * each stored at `model_weights/<layer>/<weight name>`. What differs:
 *
 * | flavor     | weight names                                   | model_config            | string attributes |
 * |------------|------------------------------------------------|-------------------------|-------------------|
 * | keras-2.1  | `lstm_1/kernel:0`                              | Sequential as a list    | all fixed-length |
 * | keras-2.2  | `lstm_1/kernel:0`, `bi/forward_lstm_1/kernel:0`| no InputLayer           | all fixed-length |
 * | tf2        | `lstm/lstm_cell/kernel:0`                      | InputLayer first        | root versions variable-length |
 * | keras-3    | `lstm/lstm_cell/kernel`, `sequential/dense/kernel` | Keras 3 config      | root versions variable-length |
 */
import type { Group } from 'h5wasm/node';
import { dataset, group, stringAttribute, stringsAttribute, writeHdf5, type StringKind } from './hdf5_writer.js';
import {
  CONTAINERS,
  containerLayers,
  keep,
  layerName,
  layerVariables,
  snakeCase,
  type Json,
  type LayerEntry,
  type LayerVariable,
  type StoredTensor,
  type TfjsCase,
  type WeightEdit,
} from './keras_case.js';
import { keras3Config } from './keras3_archive_writer.js';

export type H5Flavor = 'keras-2.1' | 'keras-2.2' | 'tf2' | 'keras-3';

const VERSIONS: Record<H5Flavor, string> = { 'keras-2.1': '2.1.6', 'keras-2.2': '2.2.4', tf2: '2.15.0', 'keras-3': '3.5.0' };

export interface Keras2Options {
  edit?: WeightEdit;
  /** Leave the model_config attribute out (a weights-only file). */
  omitModelConfig?: boolean;
  /** Which Keras wrote the file (default `tf2`). */
  flavor?: H5Flavor;
  /** Replace the model_config object before it is written. */
  config?: (config: Json) => Json;
  /**
   * Split `layer_names` / `weight_names` into this many attributes
   * `<name>0`, `<name>1`, ... as Keras does past HDF5's 64 KB header limit.
   */
  chunks?: number;
}

/** A list attribute as save_attributes_to_hdf5_group writes it: whole, or split like np.array_split. */
function listAttribute(g: Group, name: string, values: string[], chunks: number): void {
  if (chunks <= 1 || values.length < chunks) {
    stringsAttribute(g, name, values);
    return;
  }
  const base = Math.floor(values.length / chunks);
  const extra = values.length % chunks;
  let start = 0;
  for (let k = 0; k < chunks; k++) {
    const size = base + (k < extra ? 1 : 0);
    stringsAttribute(g, `${name}${k}`, values.slice(start, start + size));
    start += size;
  }
}

/** TF 2.x writes an InputLayer first in every Sequential built on an input shape. */
function withInputLayers(entry: LayerEntry): Json {
  if (!CONTAINERS.has(entry.class_name)) return { ...entry };
  const layers = containerLayers(entry.config).map((l) => ({ ...l, ...withInputLayers(l) }));
  const config = { ...(entry.config as Json), layers };
  const first = layers[0];
  if (entry.class_name === 'Sequential' && first.class_name !== 'InputLayer' && first.config.batch_input_shape !== undefined) {
    const input = {
      class_name: 'InputLayer',
      config: { batch_input_shape: first.config.batch_input_shape, dtype: 'float32', sparse: false, ragged: false, name: `${layerName(first)}_input` },
    };
    config.layers = [input, ...layers];
  }
  return { ...entry, config };
}

/** The model_config a flavor writes for a TF.js topology. */
export function keras2Config(topology: Json, flavor: H5Flavor = 'tf2'): Json {
  switch (flavor) {
    case 'tf2':
      return { ...withInputLayers(topology as unknown as LayerEntry), class_name: topology.class_name === 'Sequential' ? 'Sequential' : 'Model' };
    case 'keras-3':
      return keras3Config(topology);
    case 'keras-2.2':
      return { class_name: topology.class_name === 'Sequential' ? 'Sequential' : 'Model', config: topology.config };
    case 'keras-2.1':
      return topology.class_name === 'Sequential'
        ? { class_name: 'Sequential', config: containerLayers(topology.config) }
        : { class_name: 'Model', config: topology.config };
  }
}

/** The name a flavor gives one variable of layer `layer` (`scope`: the nested models it sits in). */
function weightName(flavor: H5Flavor, scope: string[], layer: string, v: LayerVariable): string {
  const cell = v.cellOf && `${snakeCase(v.cellOf)}_cell`;
  switch (flavor) {
    case 'keras-2.1':
    case 'keras-2.2':
      return [layer, v.direction, `${v.short}:0`].filter(Boolean).join('/');
    case 'tf2':
      return [layer, v.direction, cell, `${v.short}:0`].filter(Boolean).join('/');
    case 'keras-3':
      return [...scope, layer, v.direction ?? v.wrapped, cell, v.short].filter(Boolean).join('/');
  }
}

/** `[weight name, tensor]` of a top-level layer: a nested model lists its layers' trainable weights, then the rest. */
function groupWeights(flavor: H5Flavor, l: LayerEntry, tc: TfjsCase): [string, StoredTensor][] {
  const collect = (entry: LayerEntry, scope: string[]): { name: string; v: LayerVariable }[] => {
    if (!CONTAINERS.has(entry.class_name)) {
      return layerVariables(entry, tc).map((v) => ({ name: weightName(flavor, scope, layerName(entry), v), v }));
    }
    const inner = [...scope, layerName(entry)];
    return containerLayers(entry.config).flatMap((e) => (e.class_name === 'InputLayer' ? [] : collect(e, inner)));
  };
  // Keras 2 names a nested model's weights by their layer alone, Keras 3 by the scope it built them in.
  const named = collect(l, []);
  const ordered = [...named.filter((w) => w.v.trainable), ...named.filter((w) => !w.v.trainable)];
  return ordered.map((w) => [w.name, w.v.tensor]);
}

/** Every `[weight name, tensor]` the flavor's file stores, layer group by layer group. */
export function h5Weights(tc: TfjsCase, flavor: H5Flavor): [string, StoredTensor][] {
  return containerLayers(tc.topology.config).flatMap((l) => groupWeights(flavor, l, tc));
}

/** The bytes of a `.h5` model file holding the case's model, as the flavor's Keras writes it. */
export async function writeKeras2H5(tc: TfjsCase, options: Keras2Options = {}): Promise<Uint8Array> {
  const flavor = options.flavor ?? 'tf2';
  const version = VERSIONS[flavor];
  const edit = options.edit ?? keep;
  const written = keras2Config(tc.topology, flavor);
  const modelConfig = options.config ? options.config(written) : written;
  // Sequential.layers leaves out the InputLayer; a functional model's layers include theirs.
  const layers = containerLayers(tc.topology.config);
  const versionKind: StringKind = flavor === 'tf2' || flavor === 'keras-3' ? 'variable' : 'fixed';
  return writeHdf5((root: Group) => {
    if (!options.omitModelConfig) stringAttribute(root, 'model_config', JSON.stringify({ ...modelConfig, keras_version: version, backend: 'tensorflow' }));
    stringAttribute(root, 'keras_version', version, versionKind);
    stringAttribute(root, 'backend', 'tensorflow', versionKind);
    const mw = group(root, 'model_weights');
    const names = layers.map(layerName);
    listAttribute(mw, 'layer_names', names, options.chunks ?? 1);
    stringAttribute(mw, 'backend', 'tensorflow');
    stringAttribute(mw, 'keras_version', version);
    layers.forEach((l, i) => {
      const g = group(mw, names[i]);
      const weights = groupWeights(flavor, l, tc);
      listAttribute(
        g,
        'weight_names',
        weights.map(([n]) => n),
        options.chunks ?? 1,
      );
      for (const [n, t] of weights) {
        const edited = edit(`model_weights/${names[i]}/${n}`, t);
        if (edited) dataset(g, n, edited);
      }
    });
    if (flavor === 'keras-3') stringsAttribute(group(mw, 'top_level_model_weights'), 'weight_names', []);
  });
}
