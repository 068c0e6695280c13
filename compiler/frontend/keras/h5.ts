/**
 * Keras 2 `.h5` model files (`model.save('m.h5')`). The root carries the
 * attributes `model_config` (the model JSON as a string) and `keras_version`;
 * weights live in the group `model_weights`, whose attribute `layer_names`
 * lists the model's layers. Each layer has a group `model_weights/<layer>`
 * whose attribute `weight_names` lists its weights in Keras' order
 * (trainable first), and each weight is the dataset at
 * `model_weights/<layer>/<weight name>`, e.g. `dense/kernel:0`,
 * `lstm/lstm_cell/kernel:0`, `bidirectional/forward_lstm/lstm_cell/bias:0`.
 * Keras loads them by position, and so does tfc. A nested model is one group
 * holding all its layers' weights; they are told apart by the first part of
 * their names (the inner layer's name).
 * Long attribute lists are split by Keras into `<name>0`, `<name>1`, ...
 */
import { FileAccessError, readRegularFile } from '../../io/read_file.js';
import type { LayerInstance, ModelSpec } from '../../layers/layer.js';
import { MAX_FILE_BYTES } from '../../limits.js';
import { bindWeights } from './bind.js';
import { ModelFileError } from './errors.js';
import { Hdf5Error, readHdf5, type Hdf5Reader } from './hdf5.js';
import { kerasModelJsonFromKeras3 } from './keras3_config.js';
import { parseJsonFile } from './tfjs.js';
import { modelSpecFromKeras } from './topology.js';

const WEIGHTS_GROUP = 'model_weights';

/** Loads a Keras 2 `.h5` model file from disk. */
export async function loadH5File(file: string): Promise<ModelSpec> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_FILE_BYTES, 'an .h5 file (MAX_FILE_BYTES)');
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    throw new ModelFileError(file, e.reason, {}, { cause: e });
  }
  return h5ModelFromBytes(bytes, file);
}

/** Builds a ModelSpec from the bytes of a Keras `.h5` model file; `file` names it in errors. */
export async function h5ModelFromBytes(bytes: Uint8Array, file: string): Promise<ModelSpec> {
  try {
    return await readHdf5(bytes, file, (h5) => modelFromHdf5(h5, file));
  } catch (e) {
    if (e instanceof Hdf5Error) throw new ModelFileError(file, e.detail, {}, { cause: e });
    throw e;
  }
}

function stringAttribute(h5: Hdf5Reader, path: string, name: string): string | undefined {
  const v = h5.attribute(path, name);
  return typeof v === 'string' ? v : undefined;
}

/** A list-of-strings attribute, joined from Keras' `<name>0`, `<name>1`, ... chunks when split. */
function stringListAttribute(h5: Hdf5Reader, path: string, name: string): string[] | undefined {
  const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
  const whole = h5.attribute(path, name);
  if (whole !== undefined) return asList(whole);
  const chunks: string[] = [];
  for (let k = 0; ; k++) {
    const chunk = h5.attribute(path, `${name}${k}`);
    if (chunk === undefined) return k === 0 ? undefined : chunks;
    chunks.push(...asList(chunk));
  }
}

function modelFromHdf5(h5: Hdf5Reader, file: string): ModelSpec {
  const configText = stringAttribute(h5, '', 'model_config');
  if (configText === undefined) {
    const weightsOnly = h5.attribute('', 'layer_names') !== undefined ? ' (it looks like a weights-only file from save_weights)' : '';
    throw new ModelFileError(file, `has no 'model_config' attribute, so it holds no model architecture${weightsOnly}`);
  }
  const kerasVersion = stringAttribute(h5, '', 'keras_version') ?? stringAttribute(h5, WEIGHTS_GROUP, 'keras_version') ?? '2';
  const config = parseJsonFile(configText, `${file}: model_config`);
  const spec = modelSpecFromKeras(kerasModelJsonFromKeras3(config, { file, kerasVersion }), file);
  if (!h5.isGroup(WEIGHTS_GROUP)) throw new ModelFileError(file, `has no '${WEIGHTS_GROUP}' group, so it holds no weights`);

  const stored = storedWeights(h5, spec, file);
  bindWeights(spec, file, (layer, ws, index) => {
    const entry = stored.get(layer.name)?.[index];
    const weight = `${layer.name}/${ws.name}`;
    if (!entry) {
      const count = stored.get(layer.name)?.length ?? 0;
      throw new ModelFileError(file, `'${WEIGHTS_GROUP}/${layer.name}' lists ${count} weight(s), so weight ${index} ('${ws.name}') is missing`, {
        layer: layer.name,
        weight,
      });
    }
    const t = h5.tensor(entry.path);
    if (!t) throw new ModelFileError(file, `weight_names lists '${entry.name}', but there is no dataset '/${entry.path}'`, { layer: layer.name, weight });
    return t;
  });
  for (const layer of spec.layers) checkNoExtraWeights(layer, stored.get(layer.name) ?? [], file);
  return spec;
}

interface StoredWeight {
  /** The name in `weight_names` (`dense/kernel:0`). */
  name: string;
  path: string;
}

/** Every layer's stored weights in order, keyed by layer name (inner layers of nested models included). */
function storedWeights(h5: Hdf5Reader, spec: ModelSpec, file: string): Map<string, StoredWeight[]> {
  const layerNames = stringListAttribute(h5, WEIGHTS_GROUP, 'layer_names');
  if (!layerNames) throw new ModelFileError(file, `group '${WEIGHTS_GROUP}' has no 'layer_names' attribute`);
  const leaves = new Set(spec.layers.map((l) => l.name));
  const out = new Map<string, StoredWeight[]>();
  for (const group of layerNames) {
    const path = `${WEIGHTS_GROUP}/${group}`;
    const names = stringListAttribute(h5, path, 'weight_names');
    if (!h5.isGroup(path) || names === undefined) {
      throw new ModelFileError(file, `'${WEIGHTS_GROUP}' lists layer '${group}', but has no group with its 'weight_names'`, { layer: group });
    }
    const weights = names.map((name) => ({ name, path: `${path}/${name}` }));
    if (leaves.has(group)) {
      out.set(group, weights);
      continue;
    }
    // A nested model: split its weights by inner layer, keeping their order.
    for (const w of weights) {
      const inner = innerLayerOf(w.name, leaves);
      if (inner === undefined) {
        throw new ModelFileError(file, `weight '${w.name}' of nested model '${group}' names none of the model's layers`, { layer: group });
      }
      out.set(inner, [...(out.get(inner) ?? []), w]);
    }
  }
  return out;
}

/**
 * The layer a nested model's weight belongs to: the first part of its name
 * that is a layer name. Keras 2 names it first (`dense_2/kernel:0`,
 * `lstm/lstm_cell/kernel:0`); Keras 3 prefixes the scope the layer was built
 * in (`sequential/dense_2/kernel`).
 */
function innerLayerOf(weightName: string, leaves: Set<string>): string | undefined {
  return weightName.split('/').find((part) => leaves.has(part));
}

function checkNoExtraWeights(layer: LayerInstance, stored: StoredWeight[], file: string): void {
  if (stored.length > layer.weights.size) {
    throw new ModelFileError(
      file,
      `'${WEIGHTS_GROUP}' has ${stored.length} weights for this ${layer.className} layer (${stored.map((w) => w.name).join(', ')}), ` +
        `which has ${layer.weights.size}`,
      { layer: layer.name },
    );
  }
}

