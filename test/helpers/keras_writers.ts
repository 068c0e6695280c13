/**
 * Writes real Keras files for tests, from a conformance case's TF.js
 * model.json + weights.bin (no Python here to let Keras write them):
 *  - `writeKeras3Archive`: a Keras 3 `.keras` zip (config.json in Keras 3
 *    serialization, metadata.json, model.weights.h5 keyed by layer position
 *    and class: `layers/dense_1/vars/0`, `layers/lstm/cell/vars/1`,
 *    `layers/bidirectional/forward_layer/cell/vars/0`, ...);
 *  - `writeKeras2H5`: a Keras 2 `model.save('m.h5')` file (root attributes
 *    `model_config` / `keras_version`, `model_weights/<layer>/<layer>/kernel:0`
 *    with `layer_names` / `weight_names` attributes as fixed-length strings,
 *    as h5py writes them).
 * Both follow Keras' own layouts (keras/src/saving/saving_lib.py and
 * keras/src/legacy/saving/legacy_h5_format.py); `edit` hooks let error tests
 * drop or reshape a stored weight.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import h5wasm, { type Group } from 'h5wasm/node';

type Json = Record<string, unknown>;

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

export interface TfjsCase {
  /** `{class_name, config}` of the Keras model, as TF.js wrote it. */
  topology: Json;
  /** Weights by manifest name (`dense/kernel`, `bidirectional/forward_lstm/bias`). */
  weights: Map<string, StoredTensor>;
}

/** Reads a conformance case's model.json and its float32 weights. */
export function readTfjsCase(dir: string): TfjsCase {
  const model = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: Json;
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  const weights = new Map<string, StoredTensor>();
  for (const group of model.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((p) => readFileSync(path.join(dir, p))));
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32') throw new Error(`${dir}: weight ${w.name} is ${w.dtype}; the writers handle float32`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = bytes.readFloatLE(offset + 4 * i);
      offset += 4 * n;
      weights.set(w.name, { shape: w.shape, data });
    }
  }
  const t = model.modelTopology;
  const topology = (t.model_config ?? t) as Json;
  return { topology: { class_name: topology.class_name, config: topology.config }, weights };
}

/** Changes a weight before it is written: return undefined to leave it out of the file. */
export type WeightEdit = (location: string, t: StoredTensor) => StoredTensor | undefined;

const keep: WeightEdit = (_location, t) => t;

/** Keras' variable order within one layer (trainable before non-trainable). */
const KERAS_VARIABLE_ORDER = [
  'kernel',
  'depthwise_kernel',
  'pointwise_kernel',
  'recurrent_kernel',
  'embeddings',
  'bias',
  'alpha',
  'gamma',
  'beta',
  'moving_mean',
  'moving_variance',
];

/** `[short name, tensor]` for the weights under `prefix/`, in Keras' variable order. */
function variablesUnder(weights: Map<string, StoredTensor>, prefix: string): [string, StoredTensor][] {
  const found = [...weights].filter(([n]) => n.startsWith(`${prefix}/`) && !n.slice(prefix.length + 1).includes('/'));
  const rank = (n: string) => {
    const i = KERAS_VARIABLE_ORDER.indexOf(n.slice(n.lastIndexOf('/') + 1));
    if (i < 0) throw new Error(`writer: unknown weight kind ${n}`);
    return i;
  };
  return found.sort((a, b) => rank(a[0]) - rank(b[0])).map(([n, t]) => [n.slice(prefix.length + 1), t]);
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU']);

function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

// ---------------------------------------------------------------- HDF5 writing

/** Creates an HDF5 file with `fill`, returning its bytes. */
async function writeHdf5(fill: (root: Group) => void): Promise<Uint8Array> {
  await h5wasm.ready;
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-writer-'));
  const file = path.join(dir, 'out.h5');
  try {
    const f = new h5wasm.File(file, 'w');
    fill(f);
    f.close();
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function group(parent: Group, name: string): Group {
  let g = parent;
  for (const part of name.split('/')) {
    g = (g.keys().includes(part) ? g.get(part) : g.create_group(part)) as Group;
  }
  return g;
}

function dataset(parent: Group, name: string, t: StoredTensor): void {
  const slash = name.lastIndexOf('/');
  const g = slash < 0 ? parent : group(parent, name.slice(0, slash));
  g.create_dataset({ name: name.slice(slash + 1), data: t.data, shape: t.shape, dtype: '<f' });
}

/** A string list attribute as h5py writes numpy bytes arrays: fixed-length strings. */
function stringsAttribute(g: Group, name: string, values: string[]): void {
  if (values.length === 0) {
    g.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  const width = Math.max(1, ...values.map((v) => v.length));
  g.create_attribute(name, values, [values.length], `S${width}`);
}

function stringAttribute(g: Group, name: string, value: string): void {
  g.create_attribute(name, value, null, `S${Math.max(1, value.length)}`);
}

// ---------------------------------------------------------------- Keras 3 archive

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

function keras3LayerConfig(className: string, config: Json): Json {
  const out: Json = { ...config, dtype: DTYPE_POLICY, ...(KERAS3_EXTRA_OPTIONS[className] ?? {}) };
  delete out.batch_input_shape;
  if (className === 'LeakyReLU') {
    out.negative_slope = out.alpha;
    delete out.alpha;
  }
  if (className === 'Bidirectional' && isRecord(config.layer)) {
    const inner = config.layer as { class_name: string; config: Json };
    const forward = { ...inner.config, name: `forward_${String(inner.config.name)}` };
    const backward = { ...inner.config, name: `backward_${String(inner.config.name)}`, go_backwards: !inner.config.go_backwards };
    out.layer = kerasObject('keras.layers', inner.class_name, keras3LayerConfig(inner.class_name, forward));
    out.backward_layer = kerasObject('keras.layers', inner.class_name, keras3LayerConfig(inner.class_name, backward));
  } else if (isRecord(config.layer)) {
    const inner = config.layer as { class_name: string; config: Json };
    out.layer = kerasObject('keras.layers', inner.class_name, keras3LayerConfig(inner.class_name, inner.config));
  }
  return out;
}

function kerasTensor(ref: unknown[]): Json {
  return { class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: ref.slice(0, 3) } };
}

/** A TF.js `[[layer, node, tensor, kwargs], ...]` call as Keras 3's `{args, kwargs}`. */
function keras3Node(node: unknown[][]): Json {
  const tensors = node.map(kerasTensor);
  return { args: tensors.length === 1 ? tensors : [tensors], kwargs: {} };
}

/** Keras 3 writes a single input/output as a bare `[layer, node, tensor]`. */
function keras3Refs(refs: unknown[][]): unknown {
  return refs.length === 1 ? refs[0].slice(0, 3) : refs.map((r) => r.slice(0, 3));
}

/** The Keras 3 config.json for a TF.js topology. */
export function keras3Config(topology: Json): Json {
  const config = topology.config as Json;
  const layers = config.layers as { class_name: string; config: Json; name?: string; inbound_nodes?: unknown[][][] }[];
  if (topology.class_name === 'Sequential') {
    const first = layers[0].config;
    const input = kerasObject('keras.layers', 'InputLayer', {
      batch_shape: first.batch_input_shape,
      dtype: 'float32',
      sparse: false,
      name: 'input_layer',
    });
    return {
      ...kerasObject('keras', 'Sequential', {
        name: config.name,
        trainable: true,
        dtype: DTYPE_POLICY,
        layers: [input, ...layers.map((l) => kerasObject('keras.layers', l.class_name, keras3LayerConfig(l.class_name, l.config)))],
      }),
      build_config: { input_shape: first.batch_input_shape },
      compile_config: null,
    };
  }
  const functionalLayers = layers.map((l) => {
    const layerConfig =
      l.class_name === 'InputLayer'
        ? { batch_shape: l.config.batch_input_shape, dtype: 'float32', sparse: false, name: l.name }
        : keras3LayerConfig(l.class_name, l.config);
    return {
      ...kerasObject('keras.layers', l.class_name, layerConfig),
      name: l.name,
      inbound_nodes: (l.inbound_nodes ?? []).map(keras3Node),
    };
  });
  return {
    ...kerasObject('keras.src.models.functional', 'Functional', {
      name: config.name,
      trainable: true,
      layers: functionalLayers,
      input_layers: keras3Refs(config.input_layers as unknown[][]),
      output_layers: keras3Refs(config.output_layers as unknown[][]),
    }),
    build_config: { input_shape: null },
    compile_config: null,
  };
}

/** Writes one layer's state the way Keras 3 saves it: own `vars`, then sub-layers. */
function writeKeras3Layer(root: Group, at: string, className: string, config: Json, prefix: string, tc: TfjsCase, edit: WeightEdit): void {
  group(root, `${at}/vars`);
  const writeVars = (dir: string, vars: [string, StoredTensor][]) => {
    group(root, dir);
    vars.forEach(([, t], i) => {
      const edited = edit(`${dir}/${i}`, t);
      if (edited) dataset(root, `${dir}/${i}`, edited);
    });
  };
  if (className === 'Bidirectional') {
    const inner = config.layer as { class_name: string; config: Json };
    for (const side of ['forward', 'backward']) {
      const innerPrefix = `${prefix}/${side}_${String(inner.config.name)}`;
      writeKeras3Layer(root, `${at}/${side}_layer`, inner.class_name, inner.config, innerPrefix, tc, edit);
    }
  } else if (className === 'TimeDistributed') {
    const inner = config.layer as { class_name: string; config: Json };
    writeKeras3Layer(root, `${at}/layer`, inner.class_name, inner.config, prefix, tc, edit);
  } else if (RECURRENT.has(className)) {
    writeVars(`${at}/cell/vars`, variablesUnder(tc.weights, prefix));
  } else {
    writeVars(`${at}/vars`, variablesUnder(tc.weights, prefix));
  }
}

export interface Keras3Options {
  edit?: WeightEdit;
  /** metadata.json's keras_version (default 3.5.0). */
  kerasVersion?: string;
  /** Replace the config.json object before it is written. */
  config?: (config: Json) => Json;
}

/** The bytes of a `.keras` archive holding the case's model. */
export async function writeKeras3Archive(tc: TfjsCase, options: Keras3Options = {}): Promise<Uint8Array> {
  const edit = options.edit ?? keep;
  const config = keras3Config(tc.topology);
  const layers = (tc.topology.config as Json).layers as { class_name: string; config: Json; name?: string }[];
  const weights = await writeHdf5((root) => {
    group(root, 'vars');
    const used = new Map<string, number>();
    const key = (className: string) => {
      const base = snakeCase(className);
      const n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      return n === undefined ? base : `${base}_${n + 1}`;
    };
    // A functional model's InputLayers take part in the naming (Sequential.layers leaves its InputLayer out).
    for (const l of layers) {
      const name = l.name ?? String(l.config.name);
      writeKeras3Layer(root, `layers/${key(l.class_name)}`, l.class_name, l.config, name, tc, edit);
    }
  });
  const metadata = { keras_version: options.kerasVersion ?? '3.5.0', date_saved: '2025-01-01@00:00:00' };
  return zipSync({
    'metadata.json': strToU8(JSON.stringify(metadata)),
    'config.json': strToU8(JSON.stringify(options.config ? options.config(config) : config)),
    'model.weights.h5': weights,
  });
}

// ---------------------------------------------------------------- Keras 2 .h5

/** Keras 2 (TF 2.x) variable names of a layer's weights, in order, with their tensors. */
function keras2Weights(className: string, config: Json, layer: string, tc: TfjsCase): [string, StoredTensor][] {
  if (className === 'Bidirectional') {
    const inner = config.layer as { class_name: string; config: Json };
    const innerName = String(inner.config.name);
    return ['forward', 'backward'].flatMap((side) =>
      variablesUnder(tc.weights, `${layer}/${side}_${innerName}`).map(
        ([w, t]) => [`${layer}/${side}_${innerName}/${snakeCase(inner.class_name)}_cell/${w}:0`, t] as [string, StoredTensor],
      ),
    );
  }
  const cell = RECURRENT.has(className) ? `${snakeCase(className)}_cell/` : '';
  const vars = variablesUnder(tc.weights, layer).map(([w, t]) => [`${layer}/${cell}${w}:0`, t] as [string, StoredTensor]);
  // Trainable weights first, then the non-trainable moving statistics.
  const moving = (n: string) => /moving_(mean|variance):0$/.test(n);
  return [...vars.filter(([n]) => !moving(n)), ...vars.filter(([n]) => moving(n))];
}

/** The Keras 2 model_config for a TF.js topology (TF 2.x puts an InputLayer first in a Sequential). */
export function keras2Config(topology: Json): Json {
  const config = topology.config as Json;
  if (topology.class_name !== 'Sequential') return { class_name: 'Model', config };
  const layers = config.layers as { class_name: string; config: Json }[];
  const first = layers[0];
  const input = {
    class_name: 'InputLayer',
    config: { batch_input_shape: first.config.batch_input_shape, dtype: 'float32', sparse: false, ragged: false, name: `${String(first.config.name)}_input` },
  };
  return { class_name: 'Sequential', config: { name: config.name, layers: [input, ...layers] } };
}

export interface Keras2Options {
  edit?: WeightEdit;
  /** Leave the model_config attribute out (a weights-only file). */
  omitModelConfig?: boolean;
}

/** The bytes of a Keras 2 `.h5` model file holding the case's model. */
export async function writeKeras2H5(tc: TfjsCase, options: Keras2Options = {}): Promise<Uint8Array> {
  const edit = options.edit ?? keep;
  const modelConfig = keras2Config(tc.topology);
  const layers = (modelConfig.config as Json).layers as { class_name: string; config: Json; name?: string }[];
  // Sequential.layers leaves out the InputLayer; a functional model's layers include theirs.
  const saved = tc.topology.class_name === 'Sequential' ? layers.slice(1) : layers;
  return writeHdf5((root) => {
    if (!options.omitModelConfig) stringAttribute(root, 'model_config', JSON.stringify({ ...modelConfig, keras_version: '2.15.0', backend: 'tensorflow' }));
    stringAttribute(root, 'keras_version', '2.15.0');
    stringAttribute(root, 'backend', 'tensorflow');
    const mw = group(root, 'model_weights');
    const names = saved.map((l) => l.name ?? String(l.config.name));
    stringsAttribute(mw, 'layer_names', names);
    stringAttribute(mw, 'backend', 'tensorflow');
    stringAttribute(mw, 'keras_version', '2.15.0');
    saved.forEach((l, i) => {
      const g = group(mw, names[i]);
      const weights = keras2Weights(l.class_name, l.config, names[i], tc);
      stringsAttribute(
        g,
        'weight_names',
        weights.map(([n]) => n),
      );
      for (const [n, t] of weights) {
        const edited = edit(`model_weights/${names[i]}/${n}`, t);
        if (edited) dataset(g, n, edited);
      }
    });
  });
}
