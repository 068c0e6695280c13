/**
 * Writes `.keras` archives as Keras 3 and tf-keras 2.12-2.15 save them
 * (keras/src/saving/saving_lib.py, tf_keras/saving/saving_lib.py): a zip of
 * `config.json`, `metadata.json` and `model.weights.h5`. The weights file
 * keys each layer by snake-cased class name and a counter, in its model's
 * layer order (`dense`, `dense_1`; a Sequential skips its InputLayer, a
 * functional model counts it); a nested model's layers sit under its key.
 * A layer's variables are `vars/<i>`, its sub-layers' under their attribute
 * names (`cell`, `layer`, `forward_layer`, `backward_layer`). By version:
 *
 * | keras_version | config.json                         | layers under                        |
 * |---------------|-------------------------------------|-------------------------------------|
 * | 3.x           | Keras 3 (`{args, kwargs}` nodes, DTypePolicy, `batch_shape`) | `layers/` |
 * | 2.15          | tf-keras (`module` objects, Keras 2 nodes) | `layers/`                    |
 * | 2.14          | tf-keras                            | `_layer_checkpoint_dependencies/`   |
 * | 2.12, 2.13    | tf-keras                            | `_layer_checkpoint_dependencies/`, where a layer with weights uses up two counter values |
 *
 * tf-keras' Bidirectional also keeps the wrapped layer it copied, unbuilt,
 * as an empty `layer/` group.
 */
import { strToU8, zipSync } from 'fflate';
import type { Group } from 'h5wasm/node';
import { dataset, group, writeHdf5 } from './hdf5_writer.js';
import {
  CONTAINERS,
  containerLayers,
  isRecord,
  keep,
  layerName,
  layerVariables,
  RECURRENT,
  snakeCase,
  type Json,
  type LayerEntry,
  type TfjsCase,
  type WeightEdit,
} from './keras_case.js';

function kerasObject(module: string, className: string, config: unknown): Json {
  return { module, class_name: className, config, registered_name: null };
}

const DTYPE_POLICY = kerasObject('keras', 'DTypePolicy', { name: 'float32' });

/** Options Keras 3 adds to some layers' configs (at their default values). */
const KERAS3_EXTRA_OPTIONS: Record<string, Json> = {
  Conv1D: { groups: 1 },
  Conv2D: { groups: 1 },
  BatchNormalization: { synchronized: false },
  LayerNormalization: { rms_scaling: false },
};

const OBJECT_MODULES: [RegExp, string][] = [
  [/_initializer$/, 'keras.initializers'],
  [/_regularizer$/, 'keras.regularizers'],
  [/_constraint$/, 'keras.constraints'],
];

/** Initializer / regularizer / constraint objects in the new serialization (`module`, `registered_name`). */
function withObjectModules(config: Json): Json {
  const out: Json = { ...config };
  for (const [key, value] of Object.entries(config)) {
    const module = OBJECT_MODULES.find(([suffix]) => suffix.test(key))?.[1];
    if (module && isRecord(value) && typeof value.class_name === 'string') out[key] = kerasObject(module, value.class_name, value.config);
  }
  return out;
}

function keras3LayerConfig(className: string, config: Json): Json {
  const out: Json = { ...withObjectModules(config), dtype: DTYPE_POLICY, ...(KERAS3_EXTRA_OPTIONS[className] ?? {}) };
  delete out.batch_input_shape;
  if (className === 'LeakyReLU') {
    out.negative_slope = out.alpha;
    delete out.alpha;
  }
  if (className === 'Bidirectional' && isRecord(config.layer)) {
    const inner = config.layer as unknown as LayerEntry;
    const forward = { ...inner.config, name: `forward_${String(inner.config.name)}` };
    const backward = { ...inner.config, name: `backward_${String(inner.config.name)}`, go_backwards: !inner.config.go_backwards };
    out.layer = kerasObject('keras.layers', inner.class_name, keras3LayerConfig(inner.class_name, forward));
    out.backward_layer = kerasObject('keras.layers', inner.class_name, keras3LayerConfig(inner.class_name, backward));
  } else if (isRecord(config.layer)) {
    const inner = config.layer as unknown as LayerEntry;
    out.layer = kerasObject('keras.layers', inner.class_name, keras3LayerConfig(inner.class_name, inner.config));
  }
  return out;
}

function kerasTensor(ref: unknown[]): Json {
  return { class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: ref.slice(0, 3) } };
}

/**
 * Keras 2 and TF.js number the calls of a nested Sequential built on an
 * input from 1 (node 0 is its own graph); Keras 3 from 0.
 */
function keras3Ref(ref: unknown[], sequentials: Set<string>): unknown[] {
  const [layer, node, tensor] = ref as [string, number, number];
  return [layer, sequentials.has(layer) ? node - 1 : node, tensor];
}

/** A TF.js `[[layer, node, tensor, kwargs], ...]` call as Keras 3's `{args, kwargs}`. */
function keras3Node(node: unknown[][], sequentials: Set<string>): Json {
  const tensors = node.map((ref) => kerasTensor(keras3Ref(ref, sequentials)));
  return { args: tensors.length === 1 ? tensors : [tensors], kwargs: {} };
}

/** Keras 3 writes a single input/output as a bare `[layer, node, tensor]`. */
function keras3Refs(refs: unknown[][], sequentials: Set<string>): unknown {
  const out = refs.map((r) => keras3Ref(r, sequentials));
  return out.length === 1 ? out[0] : out;
}

function builtOnInput(l: LayerEntry): boolean {
  const first = containerLayers(l.config)[0];
  return first !== undefined && (first.class_name === 'InputLayer' || first.config.batch_input_shape !== undefined);
}

/** A Keras 3 layer entry (a container, recursively). */
function keras3Layer(l: LayerEntry): Json {
  if (CONTAINERS.has(l.class_name)) return keras3Container(l);
  if (l.class_name === 'InputLayer') {
    return kerasObject('keras.layers', 'InputLayer', { batch_shape: l.config.batch_input_shape, dtype: 'float32', sparse: false, name: layerName(l) });
  }
  return kerasObject('keras.layers', l.class_name, keras3LayerConfig(l.class_name, l.config));
}

function keras3Container(entry: LayerEntry): Json {
  const layers = containerLayers(entry.config);
  const name = (entry.config as Json).name ?? layerName(entry);
  if (entry.class_name === 'Sequential') {
    const first = layers[0];
    const input =
      first.class_name !== 'InputLayer' && first.config.batch_input_shape !== undefined
        ? [keras3Layer({ class_name: 'InputLayer', config: { batch_input_shape: first.config.batch_input_shape, name: `input_layer_${String(name)}` } })]
        : [];
    const config = { name, trainable: true, dtype: DTYPE_POLICY, layers: [...input, ...layers.map(keras3Layer)] };
    return { ...kerasObject('keras', 'Sequential', config), build_config: { input_shape: first.config.batch_input_shape ?? null } };
  }
  const config = entry.config as Json;
  const sequentials = new Set(layers.filter((l) => l.class_name === 'Sequential' && builtOnInput(l)).map(layerName));
  const functionalLayers = layers.map((l) => ({
    ...keras3Layer(l),
    name: layerName(l),
    inbound_nodes: (l.inbound_nodes ?? []).map((n) => keras3Node(n, sequentials)),
  }));
  return {
    ...kerasObject('keras.src.models.functional', 'Functional', {
      name,
      trainable: true,
      layers: functionalLayers,
      input_layers: keras3Refs(config.input_layers as unknown[][], sequentials),
      output_layers: keras3Refs(config.output_layers as unknown[][], sequentials),
    }),
    build_config: { input_shape: null },
  };
}

/** The Keras 3 config.json for a TF.js topology. */
export function keras3Config(topology: Json): Json {
  return { ...keras3Container(topology as unknown as LayerEntry), compile_config: null };
}

/** A tf-keras 2.13+ layer entry: Keras 2 configs and nodes in `module` objects. */
function tfKerasLayer(l: LayerEntry): Json {
  if (CONTAINERS.has(l.class_name)) return tfKerasContainer(l);
  const config = { ...withObjectModules(l.config), dtype: 'float32' };
  return kerasObject('keras.layers', l.class_name, config);
}

function tfKerasContainer(entry: LayerEntry): Json {
  const layers = containerLayers(entry.config);
  const name = (entry.config as Json).name ?? layerName(entry);
  if (entry.class_name === 'Sequential') {
    const first = layers[0];
    const input =
      first.class_name !== 'InputLayer' && first.config.batch_input_shape !== undefined
        ? [kerasObject('keras.layers', 'InputLayer', { batch_input_shape: first.config.batch_input_shape, dtype: 'float32', sparse: false, ragged: false, name: `${layerName(first)}_input` })]
        : [];
    return kerasObject('keras', 'Sequential', { name, layers: [...input, ...layers.map(tfKerasLayer)] });
  }
  const config = entry.config as Json;
  const functionalLayers = layers.map((l) => ({ ...tfKerasLayer(l), name: layerName(l), inbound_nodes: l.inbound_nodes ?? [] }));
  return {
    ...kerasObject('keras.src.engine.functional', 'Functional', { ...config, name, layers: functionalLayers }),
    registered_name: 'Functional',
  };
}

/** The tf-keras (2.13-2.15) config.json for a TF.js topology. */
export function tfKerasConfig(topology: Json): Json {
  return { ...tfKerasContainer(topology as unknown as LayerEntry), build_config: { input_shape: null } };
}

interface ArchiveLayout {
  root: string;
  /** Keras 2.12-2.13: a layer with weights uses up two counter values. */
  listsTwice: boolean;
  /** tf-keras keeps Bidirectional's unbuilt wrapped layer as an empty `layer/` group. */
  keepsWrappedCopy: boolean;
}

function archiveLayout(kerasVersion: string): ArchiveLayout {
  const [major, minor] = kerasVersion.split('.').map(Number);
  if (major >= 3) return { root: 'layers', listsTwice: false, keepsWrappedCopy: false };
  return { root: minor >= 15 ? 'layers' : '_layer_checkpoint_dependencies', listsTwice: minor <= 13, keepsWrappedCopy: true };
}

/** Writes one leaf layer's state: its `vars` group, then its sub-layers'. Returns whether it has variables. */
function writeLayerState(root: Group, at: string, l: LayerEntry, tc: TfjsCase, edit: WeightEdit, layout: ArchiveLayout): boolean {
  group(root, `${at}/vars`);
  if (RECURRENT.has(l.class_name)) group(root, `${at}/cell/vars`);
  if (l.class_name === 'Bidirectional' && layout.keepsWrappedCopy) group(root, `${at}/layer/vars`);
  const vars = layerVariables(l, tc);
  const index = new Map<string, number>();
  for (const v of vars) {
    const dir = `${at}/${v.archiveDir}`;
    const i = index.get(dir) ?? 0;
    index.set(dir, i + 1);
    group(root, dir);
    const edited = edit(`${dir}/${i}`, v.tensor);
    if (edited) dataset(root, `${dir}/${i}`, edited);
  }
  return vars.length > 0;
}

/** Writes a container's layers under `prefix`; returns whether any has variables. */
function writeContainerState(root: Group, prefix: string, entry: LayerEntry, tc: TfjsCase, edit: WeightEdit, layout: ArchiveLayout): boolean {
  const used = new Map<string, number>();
  const key = (className: string) => {
    const base = snakeCase(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  };
  let any = false;
  for (const l of containerLayers(entry.config)) {
    // Sequential.layers leaves out the InputLayer; a functional model's layers include it.
    if (l.class_name === 'InputLayer' && entry.class_name === 'Sequential') continue;
    // A nested functional model is an instance of Keras' Functional class, whatever its config calls it.
    const className = l.class_name === 'Model' ? 'Functional' : l.class_name;
    const at = `${prefix}/${key(className)}`;
    const has = CONTAINERS.has(l.class_name) ? writeContainerState(root, `${at}/${layout.root}`, l, tc, edit, layout) : writeLayerState(root, at, l, tc, edit, layout);
    if (has && layout.listsTwice) key(className);
    any ||= has;
  }
  return any;
}

export interface Keras3Options {
  edit?: WeightEdit;
  /** metadata.json's keras_version (default 3.5.0); 2.12-2.15 write tf-keras archives. */
  kerasVersion?: string;
  /** Replace the config.json object before it is written. */
  config?: (config: Json) => Json;
}

/** The bytes of a `.keras` archive holding the case's model. */
export async function writeKeras3Archive(tc: TfjsCase, options: Keras3Options = {}): Promise<Uint8Array> {
  const edit = options.edit ?? keep;
  const kerasVersion = options.kerasVersion ?? '3.5.0';
  const layout = archiveLayout(kerasVersion);
  const config = layout.keepsWrappedCopy ? tfKerasConfig(tc.topology) : keras3Config(tc.topology);
  const weights = await writeHdf5((root) => {
    group(root, 'vars');
    writeContainerState(root, layout.root, tc.topology as unknown as LayerEntry, tc, edit, layout);
  });
  const metadata = { keras_version: kerasVersion, date_saved: '2025-01-01@00:00:00' };
  return zipSync({
    'metadata.json': strToU8(JSON.stringify(metadata)),
    'config.json': strToU8(JSON.stringify(options.config ? options.config(config) : config)),
    'model.weights.h5': weights,
  });
}
