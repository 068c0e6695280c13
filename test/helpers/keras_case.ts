/**
 * A Keras model as TF.js writes it (topology + weights by manifest name),
 * the common input of the Keras file writers in this folder, and what every
 * writer needs to know about it: a container's layers, and each leaf layer's
 * variables in Keras' order with where Keras keeps them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type Json = Record<string, unknown>;

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

/** A layer entry of a container config. */
export interface LayerEntry {
  class_name: string;
  config: Json;
  name?: string;
  inbound_nodes?: unknown[][][];
}

/** Changes a weight before it is written: return undefined to leave it out of the file. */
export type WeightEdit = (location: string, t: StoredTensor) => StoredTensor | undefined;

export const keep: WeightEdit = (_location, t) => t;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU']);
export const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);

/** Keras' snake case of a class name (`Conv2D` -> `conv2d`). */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
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

export function layerName(l: LayerEntry): string {
  return l.name ?? String(l.config.name);
}

/** A container's layer list (a Keras 2.1 Sequential's config is the list itself). */
export function containerLayers(config: unknown): LayerEntry[] {
  if (Array.isArray(config)) return config as LayerEntry[];
  return ((config as Json).layers ?? []) as LayerEntry[];
}

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
export function variablesUnder(weights: Map<string, StoredTensor>, prefix: string): [string, StoredTensor][] {
  const found = [...weights].filter(([n]) => n.startsWith(`${prefix}/`) && !n.slice(prefix.length + 1).includes('/'));
  const rank = (n: string) => {
    const i = KERAS_VARIABLE_ORDER.indexOf(n.slice(n.lastIndexOf('/') + 1));
    if (i < 0) throw new Error(`writer: unknown weight kind ${n}`);
    return i;
  };
  return found.sort((a, b) => rank(a[0]) - rank(b[0])).map(([n, t]) => [n.slice(prefix.length + 1), t]);
}

/** One variable of a leaf layer, with what each format needs to place and name it. */
export interface LayerVariable {
  /** `kernel`, `moving_mean`, ... */
  short: string;
  tensor: StoredTensor;
  trainable: boolean;
  /** The `.keras` sub-path of its `vars` group: `vars`, `cell/vars`, `forward_layer/cell/vars`, `layer/vars`. */
  archiveDir: string;
  /** Bidirectional's direction layer (`forward_lstm`), named in .h5 weight names. */
  direction?: string;
  /** The class of the recurrent cell it belongs to (`LSTM`), scoped as `lstm_cell` in TF 2.x names. */
  cellOf?: string;
  /** TimeDistributed's wrapped layer (`dense`), scoped in Keras 3 names. */
  wrapped?: string;
}

const NON_TRAINABLE = new Set(['moving_mean', 'moving_variance']);

/** A leaf layer's variables in Keras' order (its `weights`). */
export function layerVariables(l: LayerEntry, tc: TfjsCase): LayerVariable[] {
  const name = layerName(l);
  const make = (prefix: string, archiveDir: string, extra: Partial<LayerVariable>): LayerVariable[] =>
    variablesUnder(tc.weights, prefix).map(([short, tensor]) => ({ short, tensor, trainable: !NON_TRAINABLE.has(short), archiveDir, ...extra }));
  if (l.class_name === 'Bidirectional' || l.class_name === 'TimeDistributed') {
    const inner = l.config.layer as LayerEntry;
    const innerName = String(inner.config.name);
    const cell = RECURRENT.has(inner.class_name);
    const cellDir = cell ? 'cell/vars' : 'vars';
    const cellOf = cell ? inner.class_name : undefined;
    if (l.class_name === 'TimeDistributed') return make(name, `layer/${cellDir}`, { cellOf, wrapped: innerName });
    return ['forward', 'backward'].flatMap((side) =>
      make(`${name}/${side}_${innerName}`, `${side}_layer/${cellDir}`, { direction: `${side}_${innerName}`, cellOf }),
    );
  }
  if (RECURRENT.has(l.class_name)) return make(name, 'cell/vars', { cellOf: l.class_name });
  return make(name, 'vars', {});
}
