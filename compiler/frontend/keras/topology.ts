/**
 * Keras model JSON (the `modelTopology` of a TF.js model.json, the
 * `model_config` of a Keras 2 .h5 file, Keras 3's config.json) to a
 * `ModelSpec`. Handles:
 *  - `Sequential` whose config is `{name, layers}` or (Keras 2.1) a plain list,
 *    with `batch_input_shape` on the first layer (input `<layer>_input`) or an
 *    `InputLayer` entry;
 *  - functional `Model` / `Functional` with `input_layers`, `output_layers`
 *    and `inbound_nodes` (Keras 2 / TF.js lists `[layer, node, tensor, kwargs]`
 *    or Keras 3 `{args, kwargs}` with `keras_history`);
 *  - layers called several times (one instance, several calls, shared weights);
 *  - nested containers (a Sequential or Model used as a layer), flattened into
 *    the outer spec: their layers keep their own names, which is how weight
 *    manifests name their weights.
 * Weights are attached afterwards with `bindWeights` (bind.ts).
 */
import { MAX_RANK, MAX_TENSOR_ELEMENTS } from '../../limits.js';
import type { DType, Shape } from '../../ir/types.js';
import type { LayerCall, LayerInstance, ModelSpec, RawConfig, TensorRef } from '../../layers/layer.js';
import { getLayer } from '../../layers/registry.js';
import { ModelFileError } from './errors.js';
import { fillVersionDefaults } from './version_defaults.js';

type Json = Record<string, unknown>;

const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Everything the flattening accumulates, shared by nested containers. */
interface Builder {
  file: string;
  inputs: ModelSpec['inputs'];
  layers: Map<string, LayerInstance>;
  calls: LayerCall[];
}

/** A layer entry of a container config, in either serialization. */
interface LayerEntry {
  name: string;
  className: string;
  config: Json;
  inboundNodes: unknown[];
}

/**
 * Reads the model JSON, unwrapping `{model_config: ...}` when present. Options
 * whose default depends on the writing Keras version are filled in first, in
 * place (version_defaults.ts).
 */
export function modelSpecFromKeras(topology: unknown, file: string): ModelSpec {
  fillVersionDefaults(topology);
  const model = isRecord(topology) && isRecord(topology.model_config) ? topology.model_config : topology;
  if (!isRecord(model) || typeof model.class_name !== 'string') {
    throw new ModelFileError(file, 'the model topology has no class_name; it is not a Keras model');
  }
  if (!CONTAINERS.has(model.class_name)) {
    throw new ModelFileError(
      file,
      `the top-level class is '${model.class_name}'; a Keras model is a Sequential, Model or Functional`,
    );
  }
  const b: Builder = { file, inputs: [], layers: new Map(), calls: [] };
  const entry = { name: containerName(model.config, 'model'), className: model.class_name, config: model.config };
  const outputs = expandContainer(b, entry, null);
  return {
    name: entry.name,
    kind: model.class_name === 'Sequential' ? 'Sequential' : 'Functional',
    inputs: b.inputs,
    layers: [...b.layers.values()],
    calls: b.calls,
    outputs: uniqueNames(outputs.map((o) => o.name)).map((name, i) => ({ name, ref: outputs[i].ref })),
  };
}

function containerName(config: unknown, fallback: string): string {
  return isRecord(config) && typeof config.name === 'string' ? config.name : fallback;
}

/** `a, a, b` -> `a, a_1, b`: suffixes only where a name repeats. */
function uniqueNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 1; used.has(unique); n++) unique = `${name}_${n}`;
    used.add(unique);
    return unique;
  });
}

interface NamedRef {
  name: string;
  ref: TensorRef;
}

/**
 * Adds a container's layers and calls, fed by `args` (null for the top-level
 * model, whose inputs become model inputs). Returns its outputs, named by the
 * layers that produce them in this container.
 */
function expandContainer(
  b: Builder,
  entry: { name: string; className: string; config: unknown },
  args: TensorRef[] | null,
): NamedRef[] {
  return entry.className === 'Sequential'
    ? expandSequential(b, entry.name, entry.config, args)
    : expandFunctional(b, entry.name, entry.config, args);
}

function readEntry(raw: unknown, b: Builder, where: string): LayerEntry {
  if (!isRecord(raw) || typeof raw.class_name !== 'string') {
    throw new ModelFileError(b.file, `${where}: a layer must be an object with 'class_name' and 'config'`);
  }
  // A Keras 2.1 Sequential's config is its plain list of layers.
  const config = raw.class_name === 'Sequential' && Array.isArray(raw.config) ? { layers: raw.config } : raw.config;
  if (!isRecord(config)) throw new ModelFileError(b.file, `${where}: a ${raw.class_name} layer has no 'config' object`);
  const fallback = CONTAINERS.has(raw.class_name) ? where.replace(/\W+/g, '_') : undefined;
  const name = typeof raw.name === 'string' ? raw.name : typeof config.name === 'string' ? config.name : fallback;
  if (name === undefined) throw new ModelFileError(b.file, `${where}: a ${raw.class_name} layer has no name`);
  const inbound = raw.inbound_nodes ?? [];
  if (!Array.isArray(inbound)) throw new ModelFileError(b.file, `'inbound_nodes' must be a list`, { layer: name });
  return { name, className: raw.class_name, config, inboundNodes: inbound };
}

/**
 * Node index of a container's first listed call. A nested model built on its
 * own input already has node 0 (input to output) when it is first called, and
 * Keras 2 and TF.js number its calls from 1, while `inbound_nodes` lists only
 * the calls. (Keras 3 numbers a nested Sequential's calls from 0; its configs
 * are renumbered the Keras 2 way when converted, see keras3_config.ts.)
 */
function firstCallNode(entry: LayerEntry): number {
  if (!CONTAINERS.has(entry.className)) return 0;
  if (entry.className !== 'Sequential') return 1;
  return sequentialBuiltOnInput(entry.config) ? 1 : 0;
}

/**
 * True when a Sequential's config starts with an InputLayer or a layer with a
 * batch shape: Keras 2 then builds its graph (node 0) when it is created.
 */
export function sequentialBuiltOnInput(config: unknown): boolean {
  const layers = isRecord(config) ? config.layers : undefined;
  const first: unknown = Array.isArray(layers) ? layers[0] : undefined;
  if (!isRecord(first) || !isRecord(first.config)) return false;
  const c = first.config;
  return first.class_name === 'InputLayer' || c.batch_input_shape !== undefined || c.batch_shape !== undefined;
}

function expandSequential(b: Builder, name: string, config: unknown, args: TensorRef[] | null): NamedRef[] {
  const rawLayers = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) {
    throw new ModelFileError(b.file, `Sequential '${name}' has no layers`);
  }
  let current: TensorRef[] | null = args;
  let last: NamedRef | undefined;
  rawLayers.forEach((raw, i) => {
    const entry = readEntry(raw, b, `Sequential '${name}' layer ${i}`);
    if (entry.className === 'InputLayer') {
      if (current === null) {
        current = [addModelInput(b, entry.name, entry.config, entry.name)];
        last = { name: entry.name, ref: current[0] };
      }
      return;
    }
    let outs: NamedRef[];
    if (CONTAINERS.has(entry.className)) {
      outs = expandContainer(b, entry, current);
    } else {
      current ??= [addModelInput(b, entry.name, entry.config, `${entry.name}_input`)];
      outs = [{ name: entry.name, ref: addCall(b, entry, current) }];
    }
    if (outs.length !== 1) {
      throw new ModelFileError(b.file, `a layer of a Sequential model must have one output, this one has ${outs.length}`, {
        layer: entry.name,
      });
    }
    current = [outs[0].ref];
    last = { name: entry.name, ref: outs[0].ref };
  });
  return [last!];
}

/** Node `node` of a container-local layer maps tensor indices to global refs. */
type Resolved = (tensor: number) => TensorRef | undefined;

function expandFunctional(b: Builder, name: string, config: unknown, args: TensorRef[] | null): NamedRef[] {
  if (!isRecord(config) || !Array.isArray(config.layers)) {
    throw new ModelFileError(b.file, `model '${name}' has no 'layers' list`);
  }
  const entries = config.layers.map((raw, i) => readEntry(raw, b, `model '${name}' layer ${i}`));
  const byName = new Map(entries.map((e) => [e.name, e]));
  const inputRefs = readRefList(config.input_layers, b, `model '${name}' input_layers`);
  const outputRefs = readRefList(config.output_layers, b, `model '${name}' output_layers`);
  if (args !== null && args.length !== inputRefs.length) {
    throw new ModelFileError(b.file, `model '${name}' has ${inputRefs.length} input(s) but is called with ${args.length}`, {
      layer: name,
    });
  }

  const resolved = new Map<string, Resolved>();
  const key = (layer: string, node: number) => `${layer}#${node}`;
  inputRefs.forEach((ref, i) => {
    const input = byName.get(ref.layer);
    if (!input || input.className !== 'InputLayer') {
      throw new ModelFileError(b.file, `input_layers names '${ref.layer}', which is not an InputLayer of model '${name}'`);
    }
    const global = args ? args[i] : addModelInput(b, input.name, input.config, input.name);
    resolved.set(key(input.name, 0), (t) => (t === 0 ? global : undefined));
  });
  const lookup = (ref: TensorRef): TensorRef | undefined => resolved.get(key(ref.layer, ref.call))?.(ref.output);

  // Layers are listed in topological order, but a shared layer's later call
  // may use a layer listed after it: sweep until every node is placed.
  const pending = entries
    .filter((e) => e.className !== 'InputLayer')
    .map((e) => ({ entry: e, nodes: e.inboundNodes.map((n, k) => readNode(n, b, e.name, k)), next: 0, first: firstCallNode(e) }));
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of pending) {
      while (p.next < p.nodes.length) {
        const inputs = p.nodes[p.next].map(lookup);
        if (inputs.some((r) => r === undefined)) break;
        const refs = inputs as TensorRef[];
        if (CONTAINERS.has(p.entry.className)) {
          const outs = expandContainer(b, p.entry, refs).map((o) => o.ref);
          resolved.set(key(p.entry.name, p.first + p.next), (t) => outs[t]);
        } else {
          const call = addCall(b, p.entry, refs);
          resolved.set(key(p.entry.name, p.first + p.next), (t) => ({ ...call, output: t }));
        }
        p.next++;
        progress = true;
      }
    }
  }
  const stuck = pending.find((p) => p.next < p.nodes.length);
  if (stuck) {
    const missing = stuck.nodes[stuck.next].find((r) => lookup(r) === undefined)!;
    throw new ModelFileError(
      b.file,
      `call ${stuck.next} reads output ${missing.output} of call ${missing.call} of '${missing.layer}', ` +
        'which does not exist (or the layer graph has a cycle)',
      { layer: stuck.entry.name },
    );
  }
  return outputRefs.map((ref) => {
    const global = lookup(ref);
    if (!global) {
      throw new ModelFileError(
        b.file,
        `output_layers names output ${ref.output} of call ${ref.call} of '${ref.layer}', which does not exist`,
      );
    }
    return { name: ref.layer, ref: global };
  });
}

function readRef(raw: unknown): TensorRef | undefined {
  if (!Array.isArray(raw) || raw.length < 3) return undefined;
  const [layer, call, output] = raw;
  if (typeof layer !== 'string' || !Number.isInteger(call) || !Number.isInteger(output)) return undefined;
  return { layer, call: call as number, output: output as number };
}

/** `[[name, node, tensor], ...]`, or Keras 3's bare `[name, node, tensor]` for one tensor. */
function readRefList(raw: unknown, b: Builder, where: string): TensorRef[] {
  if (!Array.isArray(raw)) throw new ModelFileError(b.file, `${where} must be a list`);
  const single = readRef(raw);
  if (single && typeof raw[0] === 'string') return [single];
  return raw.map((r) => {
    const ref = readRef(r);
    if (!ref) throw new ModelFileError(b.file, `${where}: bad entry ${JSON.stringify(r)}; expected [layer, node, tensor]`);
    return ref;
  });
}

/** The input tensors of one call: a Keras 2 / TF.js list or a Keras 3 `{args, kwargs}` node. */
function readNode(raw: unknown, b: Builder, layer: string, index: number): TensorRef[] {
  const bad = () =>
    new ModelFileError(b.file, `inbound node ${index} is malformed: ${JSON.stringify(raw).slice(0, 200)}`, { layer });
  if (Array.isArray(raw)) {
    // Every layer call takes at least one tensor; `[]` is a damaged node, not a call without inputs.
    if (raw.length === 0) throw bad();
    return raw.map((r) => {
      const ref = readRef(r);
      if (!ref) throw bad();
      return ref;
    });
  }
  if (isRecord(raw) && Array.isArray(raw.args)) {
    const refs: TensorRef[] = [];
    collectKerasTensors(raw.args, refs);
    if (refs.length === 0) throw bad();
    return refs;
  }
  throw bad();
}

/** Keras 3 writes call arguments as nested lists of `__keras_tensor__` objects. */
function collectKerasTensors(v: unknown, out: TensorRef[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectKerasTensors(x, out);
  } else if (isRecord(v) && v.class_name === '__keras_tensor__' && isRecord(v.config)) {
    const ref = readRef(v.config.keras_history);
    if (ref) out.push(ref);
  }
}

function readDType(raw: unknown): string {
  if (raw === undefined || raw === null) return 'float32';
  if (typeof raw === 'string') return raw;
  // Keras 3 dtype policies: {class_name: 'DTypePolicy', config: {name: 'float32'}}.
  if (isRecord(raw) && isRecord(raw.config) && typeof raw.config.name === 'string') return raw.config.name;
  return String(raw);
}

const INPUT_DTYPES: Record<string, DType> = { float32: 'f32', int32: 'i32', bool: 'bool' };

/** Declares a model input from an InputLayer or a first layer's `batch_input_shape`. */
function addModelInput(b: Builder, layer: string, config: Json, inputName: string): TensorRef {
  const batchShape =
    config.batch_input_shape ??
    config.batch_shape ??
    (Array.isArray(config.input_shape) ? [null, ...config.input_shape] : undefined);
  if (!Array.isArray(batchShape) || batchShape.length === 0) {
    throw new ModelFileError(b.file, 'has no batch_input_shape, so the model input shape is unknown', { layer });
  }
  if (batchShape.length > MAX_RANK) {
    throw new ModelFileError(b.file, `input '${inputName}' has rank ${batchShape.length}, over the limit of ${MAX_RANK} (MAX_RANK)`, {
      layer,
      option: 'batch_input_shape',
    });
  }
  const shape: Shape = ['N'];
  batchShape.slice(1).forEach((d, k) => {
    if (!Number.isInteger(d) || (d as number) <= 0) {
      throw new ModelFileError(
        b.file,
        `input '${inputName}' has size ${JSON.stringify(d)} in dimension ${k + 1}; ` +
          'tfc needs every dimension but the batch to be a fixed positive size',
        { layer, option: 'batch_input_shape' },
      );
    }
    shape.push(d as number);
  });
  const elements = shape.reduce<number>((n, d) => n * (d === 'N' ? 1 : d), 1);
  if (elements > MAX_TENSOR_ELEMENTS) {
    throw new ModelFileError(
      b.file,
      `input '${inputName}' has ${elements} elements per batch item, over the limit of ${MAX_TENSOR_ELEMENTS} (MAX_TENSOR_ELEMENTS)`,
      { layer, option: 'batch_input_shape' },
    );
  }
  const dtypeName = readDType(config.dtype);
  const dtype = INPUT_DTYPES[dtypeName];
  if (!dtype) {
    throw new ModelFileError(b.file, `input dtype '${dtypeName}' is not supported (float32, int32, bool)`, {
      layer,
      option: 'dtype',
    });
  }
  if (b.inputs.some((i) => i.name === inputName)) {
    throw new ModelFileError(b.file, `two model inputs are named '${inputName}'`, { layer });
  }
  b.inputs.push({ name: inputName, dtype, shape });
  return { layer: inputName, call: 0, output: 0 };
}

/** Records one call of a leaf layer, creating its instance on the first call. */
function addCall(b: Builder, entry: LayerEntry, inputs: TensorRef[]): TensorRef {
  let layer = b.layers.get(entry.name);
  if (!layer) {
    if (b.inputs.some((i) => i.name === entry.name)) {
      throw new ModelFileError(b.file, 'a layer has the same name as a model input', { layer: entry.name });
    }
    const where = `layer '${entry.name}' (${entry.className}) in ${b.file}`;
    const def = getLayer(entry.className, where);
    const rawConfig: RawConfig = entry.config;
    layer = { name: entry.name, className: entry.className, def, config: def.parseConfig(rawConfig, where), rawConfig, weights: new Map() };
    b.layers.set(entry.name, layer);
  } else if (layer.rawConfig !== entry.config) {
    throw new ModelFileError(b.file, 'two different layers have this name, so their weights cannot be told apart', {
      layer: entry.name,
    });
  }
  const index = b.calls.filter((c) => c.layer === entry.name).length;
  b.calls.push({ layer: entry.name, index, inputs });
  return { layer: entry.name, call: index, output: 0 };
}
