/**
 * Keras 3 `.keras` archives: a zip holding `config.json` (the model config),
 * `metadata.json` (`keras_version`, ...) and `model.weights.h5`.
 *
 * The weights file has no weight names. Keras saves each layer's state under
 * a path made from the layer's position in its model: the model's layers,
 * in config order, are keyed by their snake-cased class name with a counter
 * (`layers/dense`, `layers/dense_1`, `layers/conv2d`; a Sequential skips its
 * InputLayer, a functional model counts it), and a nested model's layers sit
 * under its own key (`layers/sequential/layers/dense`). A layer's own
 * variables are `vars/0`, `vars/1`, ... in Keras' weight order, and its
 * sub-layers' variables follow under their attribute names: a recurrent
 * layer's `cell/vars/*`, TimeDistributed's `layer/...`, Bidirectional's
 * `forward_layer/...` then `backward_layer/...`.
 * Keras 2.12-2.15 wrote the same archive with small differences in the
 * keys (see `layerPaths`).
 */
import { strFromU8 } from 'fflate';
import { FileAccessError, readRegularFile } from '../../io/read_file.js';
import { MAX_FILE_BYTES, MAX_JSON_BYTES } from '../../limits.js';
import type { Tensor } from '../../ir/tensor.js';
import type { LayerInstance, ModelSpec } from '../../layers/layer.js';
import { bindWeights } from './bind.js';
import { ModelFileError } from './errors.js';
import { Hdf5Error, readHdf5, type Hdf5Reader } from './hdf5.js';
import { kerasMajorVersion, kerasModelJsonFromKeras3 } from './keras3_config.js';
import { modelSpecFromKeras } from './topology.js';
import { parseJsonFile } from './tfjs.js';
import { extractZipEntry, listZipEntries, ZipError } from './zip.js';

const CONFIG = 'config.json';
const METADATA = 'metadata.json';
const WEIGHTS = 'model.weights.h5';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Loads a `.keras` archive from disk. */
export async function loadKeras3File(file: string): Promise<ModelSpec> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_FILE_BYTES, 'a .keras archive (MAX_FILE_BYTES)');
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    throw new ModelFileError(file, e.reason, {}, { cause: e });
  }
  return keras3ModelFromBytes(bytes, file);
}

/** The archive entries tfc reads; every other entry is skipped without being inflated. */
interface ArchiveContents {
  names: string[];
  config?: Uint8Array;
  metadata?: Uint8Array;
  weights?: Uint8Array;
}

/** Lists the archive and inflates only config.json, metadata.json and model.weights.h5, each within its limit. */
function readArchive(bytes: Uint8Array, file: string): ArchiveContents {
  try {
    const entries = listZipEntries(bytes);
    const names = entries.map((e) => e.name);
    const read = (name: string, maxBytes: number, what: string): Uint8Array | undefined => {
      const found = entries.filter((e) => e.name === name);
      if (found.length > 1) throw new ZipError(`it holds ${found.length} entries named '${name}'`);
      return found.length === 0 ? undefined : extractZipEntry(bytes, found[0], maxBytes, what);
    };
    return {
      names,
      config: read(CONFIG, MAX_JSON_BYTES, 'a JSON file (MAX_JSON_BYTES)'),
      metadata: read(METADATA, MAX_JSON_BYTES, 'a JSON file (MAX_JSON_BYTES)'),
      weights: read(WEIGHTS, MAX_FILE_BYTES, 'a weights file (MAX_FILE_BYTES)'),
    };
  } catch (e) {
    if (!(e instanceof ZipError)) throw e;
    const detail = e.overLimit ? e.message : `is not a valid .keras archive: the zip cannot be read (${e.message})`;
    throw new ModelFileError(file, detail, {}, { cause: e });
  }
}

/** Builds a ModelSpec from the bytes of a `.keras` archive; `file` names it in errors. */
export async function keras3ModelFromBytes(bytes: Uint8Array, file: string): Promise<ModelSpec> {
  const archive = readArchive(bytes, file);
  const configBytes = archive.config;
  if (!configBytes) {
    const found = archive.names.join(', ') || 'nothing';
    throw new ModelFileError(file, `is not a Keras 3 model archive: it has no ${CONFIG} (it holds ${found})`);
  }
  const config = parseJsonFile(strFromU8(configBytes), `${file}: ${CONFIG}`);
  const kerasVersion = readKerasVersion(archive.metadata, file);
  const modelJson = kerasModelJsonFromKeras3(config, { file, kerasVersion });
  const spec = modelSpecFromKeras(modelJson, file);

  const weightBytes = archive.weights;
  if (!weightBytes) {
    const other = archive.names.includes('model.weights.npz') ? ` (its weights are in model.weights.npz, which tfc does not read)` : '';
    throw new ModelFileError(file, `has no ${WEIGHTS}${other}`);
  }
  const paths = layerPaths(config, kerasVersion);
  const label = `${file}: ${WEIGHTS}`;
  try {
    await readHdf5(weightBytes, label, (h5) => bindKeras3Weights(spec, h5, paths, file));
  } catch (e) {
    if (e instanceof Hdf5Error) throw new ModelFileError(file, `${WEIGHTS}: ${e.detail}`, {}, { cause: e });
    throw e;
  }
  return spec;
}

function readKerasVersion(bytes: Uint8Array | undefined, file: string): string {
  if (!bytes) return '3';
  const metadata = parseJsonFile(strFromU8(bytes), `${file}: ${METADATA}`);
  return isRecord(metadata) && typeof metadata.keras_version === 'string' ? metadata.keras_version : '3';
}

/** Keras' snake case of a class name: `Conv2D` -> `conv2d`, `BatchNormalization` -> `batch_normalization`. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const CONTAINERS = new Set(['Sequential', 'Functional', 'Model']);

/** Keras 2.12-2.14 keep a model's layers under this attribute instead of `layers`. */
const CHECKPOINT_ROOT = '_layer_checkpoint_dependencies';

/** Maps every leaf layer name to where its state lives in the weights file. */
type LayerPaths = (h5: Hdf5Reader) => Map<string, string>;

/**
 * Where each Keras version's archive keeps a layer's state. Every version keys
 * a model's layers by snake-cased class name and a counter in config order
 * (`dense`, `dense_1`; a Sequential skips its InputLayer, a functional model
 * counts it), under the model attribute it walked first:
 *  - Keras 3 and 2.15: `layers/...`;
 *  - Keras 2.14: `_layer_checkpoint_dependencies/...`;
 *  - Keras 2.12-2.13: `_layer_checkpoint_dependencies/...`, which lists a
 *    layer that has weights twice (`layer_with_weights-k`, `layer-i`), and
 *    the second listing uses up a counter value: Dense, Dropout, Dense are
 *    `dense`, `dropout`, `dense_2`.
 * A nested model's layers sit under its own key the same way
 * (`layers/sequential/layers/dense_1`). The root actually present in the
 * file decides between the two attributes.
 */
function layerPaths(config: unknown, kerasVersion: string): LayerPaths {
  const [major, minor] = kerasVersion.split('.').map((part) => Number.parseInt(part, 10));
  return (h5) => {
    const root = kerasMajorVersion(kerasVersion) < 3 && !h5.isGroup('layers') && h5.isGroup(CHECKPOINT_ROOT) ? CHECKPOINT_ROOT : 'layers';
    const listsTwice = root === CHECKPOINT_ROOT && major === 2 && Number.isFinite(minor) && minor <= 13;
    const out = new Map<string, string>();
    const walk = (container: unknown, className: string, prefix: string): void => {
      if (!isRecord(container) || !Array.isArray(container.layers)) return;
      const used = new Map<string, number>();
      const nextKey = (className: string): string => {
        const base = kerasSnakeCase(className);
        const n = used.get(base);
        used.set(base, n === undefined ? 0 : n + 1);
        return n === undefined ? base : `${base}_${n + 1}`;
      };
      for (const raw of container.layers) {
        if (!isRecord(raw) || typeof raw.class_name !== 'string' || !isRecord(raw.config)) continue;
        const name = typeof raw.name === 'string' ? raw.name : String(raw.config.name);
        // Sequential.layers leaves out the InputLayer; a functional model's layers include it.
        if (raw.class_name === 'InputLayer' && className === 'Sequential') continue;
        const path = `${prefix}/${nextKey(raw.class_name)}`;
        if (listsTwice && holdsVariables(h5, path)) nextKey(raw.class_name);
        if (CONTAINERS.has(raw.class_name)) walk(raw.config, raw.class_name, `${path}/${root}`);
        else out.set(name, path);
      }
    };
    if (isRecord(config)) walk(config.config, String(config.class_name), root);
    return out;
  };
}

/** True when the group at `path` or one below it holds a dataset. */
function holdsVariables(h5: Hdf5Reader, path: string): boolean {
  return (h5.children(path) ?? []).some((k) => h5.isDataset(`${path}/${k}`) || holdsVariables(h5, `${path}/${k}`));
}

/** Sub-layer attributes in Keras' weight order; any others follow alphabetically. */
const SUBLAYER_ORDER = ['cell', 'layer', 'forward_layer', 'backward_layer'];

interface StoredVariable {
  path: string;
  tensor: Tensor | undefined;
}

/** A layer's variables in Keras order: its own `vars/<i>`, then its sub-layers' (recursively). */
function collectVariables(h5: Hdf5Reader, path: string): StoredVariable[] {
  const own = (h5.children(`${path}/vars`) ?? []).map(Number).filter((i) => Number.isInteger(i) && i >= 0);
  const count = own.length === 0 ? 0 : Math.max(...own) + 1;
  const vars: StoredVariable[] = [];
  for (let i = 0; i < count; i++) vars.push({ path: `${path}/vars/${i}`, tensor: h5.tensor(`${path}/vars/${i}`) });
  const rank = (k: string) => (SUBLAYER_ORDER.includes(k) ? SUBLAYER_ORDER.indexOf(k) : SUBLAYER_ORDER.length);
  const subs = (h5.children(path) ?? [])
    .filter((k) => k !== 'vars' && h5.isGroup(`${path}/${k}`))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const sub of subs) vars.push(...collectVariables(h5, `${path}/${sub}`));
  return vars;
}

function bindKeras3Weights(spec: ModelSpec, h5: Hdf5Reader, layerPathsIn: LayerPaths, file: string): void {
  const paths = layerPathsIn(h5);
  /** The layer's group in this file, when it has one. */
  const groupOf = (name: string): string | undefined => {
    const path = paths.get(name);
    return path !== undefined && h5.isGroup(path) ? path : undefined;
  };
  const stored = new Map<string, StoredVariable[]>();
  const variablesOf = (layer: LayerInstance): StoredVariable[] => {
    let vars = stored.get(layer.name);
    if (vars) return vars;
    const path = groupOf(layer.name);
    if (path === undefined) {
      const expected = paths.get(layer.name) ?? '?';
      const root = expected.split('/')[0];
      const top = h5.children(root) ?? [];
      throw new ModelFileError(
        file,
        `${WEIGHTS} has no group '/${expected}' for this layer (its '${root}' group holds: ${top.join(', ') || 'nothing'})`,
        { layer: layer.name },
      );
    }
    vars = collectVariables(h5, path);
    stored.set(layer.name, vars);
    return vars;
  };

  bindWeights(spec, file, (layer, ws, index) => {
    const vars = variablesOf(layer);
    const v = vars[index];
    if (!v?.tensor) {
      const where = v ? `no dataset '/${v.path}'` : `only ${vars.length} variable(s) under '/${groupOf(layer.name)}'`;
      throw new ModelFileError(file, `${WEIGHTS} has ${where}, so weight ${index} ('${ws.name}') is missing`, {
        layer: layer.name,
        weight: `${layer.name}/${ws.name}`,
      });
    }
    return v.tensor;
  });

  // More stored variables than weights means the config and the weights do not belong together.
  for (const layer of spec.layers) {
    const path = groupOf(layer.name);
    const count = path === undefined ? 0 : collectVariables(h5, path).length;
    if (count > layer.weights.size) {
      throw new ModelFileError(
        file,
        `${WEIGHTS} has ${count} variables for this ${layer.className} layer, which has ${layer.weights.size} weight(s)`,
        { layer: layer.name },
      );
    }
  }
}
