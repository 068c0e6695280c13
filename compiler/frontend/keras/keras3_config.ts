/**
 * Keras 3 `config.json` to the Keras 2 / TF.js style model JSON that
 * topology.ts reads. Keras 3 differs in how it serializes, not in what a
 * model is:
 *  - every object is `{module, class_name, config, registered_name,
 *    build_config?, compile_config?}`; only `class_name` and `config` matter;
 *  - the functional class is `Functional`, and call nodes are
 *    `{args: [...__keras_tensor__ {keras_history: [layer, node, tensor]}...], kwargs}`
 *    instead of `[[layer, node, tensor, kwargs], ...]`;
 *  - `InputLayer` has `batch_shape` (Keras 2: `batch_input_shape`);
 *  - `dtype` is a dtype-policy object (`{class_name: 'DTypePolicy', config: {name: 'float32'}}`);
 *  - `LeakyReLU` calls its slope `negative_slope` (Keras 2: `alpha`);
 *  - `Bidirectional` stores both directions (`layer` named `forward_<name>`,
 *    `backward_layer`), Keras 2 only the wrapped layer;
 *  - the activation `hard_sigmoid` is `relu6(x + 3) / 6` from Keras 3 on (Keras 2:
 *    `clip(0.2x + 0.5, 0, 1)`), so it becomes `hard_sigmoid_v3` for files
 *    written by Keras 3;
 *  - an activation may be a function object (`{class_name: 'function',
 *    config: 'relu'}`) or an activation layer object;
 *  - a nested Sequential's calls count from 0 (Keras 2: from 1), and inputs
 *    or outputs may be dicts (flattened in sorted key order).
 * Keras 2 `.h5` files and Keras 2.12-2.15 `.keras` archives go through the
 * same conversion with Keras 2 semantics (a Keras 2.1 Sequential's config
 * may be its plain list of layers); a quantized Keras 3 layer is refused.
 */
import { ModelFileError } from './errors.js';
import { sequentialBuiltOnInput } from './topology.js';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface Keras3ConfigOptions {
  /** The archive (or file) the config came from, for messages. */
  file: string;
  /** `keras_version` from metadata.json; decides what `hard_sigmoid` means. */
  kerasVersion: string;
}

/** The major version of a `keras_version` string (`3.4.1` -> 3); unknown counts as Keras 3. */
export function kerasMajorVersion(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) ? major : 3;
}

const CONTAINERS = new Set(['Sequential', 'Functional', 'Model']);

/** Option keys whose names hold an activation function. */
const ACTIVATION_KEYS = ['activation', 'recurrent_activation'];

/**
 * Keras 3 options with no Keras 2 counterpart that never change inference
 * results at the value given (`undefined`: at any value). They are dropped so
 * that the layer definitions, which reject options they do not know, see a
 * Keras 2 style config.
 */
const INERT_KERAS3_OPTIONS: Record<string, unknown> = {
  use_cudnn: undefined,
  quantization_config: null,
  optional: false,
};

interface Context extends Keras3ConfigOptions {
  /** Written by Keras 3 (not by tf-keras 2.x): decides `hard_sigmoid` and call numbering. */
  keras3: boolean;
}

/** Converts a whole Keras 3 model config (the parsed config.json). */
export function kerasModelJsonFromKeras3(config: unknown, options: Keras3ConfigOptions): Json {
  const ctx: Context = { ...options, keras3: kerasMajorVersion(options.kerasVersion) >= 3 };
  if (!isRecord(config) || typeof config.class_name !== 'string') {
    throw new ModelFileError(options.file, 'config.json has no class_name; it is not a Keras model config');
  }
  if (!CONTAINERS.has(config.class_name)) {
    throw new ModelFileError(
      options.file,
      `config.json describes a '${config.class_name}'; tfc imports Sequential and functional models ` +
        '(a subclassed model has no layer graph in its config)',
    );
  }
  return { ...convertLayer(config, ctx, 'model'), keras_version: options.kerasVersion, backend: 'keras3' };
}

/**
 * The activation a Keras 3 config means, in tfc's (Keras 2 based) naming: a
 * name, a function object `{class_name: 'function', config: 'relu'}` (its
 * name), or an activation layer object, whose config is converted like any
 * layer's (`negative_slope`, dtype policies, a nested `activation`).
 */
function convertActivation(value: unknown, ctx: Context, layer: string): unknown {
  if (isRecord(value) && typeof value.class_name === 'string' && isRecord(value.config)) {
    return { class_name: value.class_name, config: convertConfig(value.class_name, value.config, ctx, layer) };
  }
  const name = isRecord(value) && value.class_name === 'function' && typeof value.config === 'string' ? value.config : value;
  return name === 'hard_sigmoid' && ctx.keras3 ? 'hard_sigmoid_v3' : name;
}

/** A dtype policy object becomes its name (`mixed_float16` stays as it is, for the layer to judge). */
function convertDType(value: unknown, ctx: Context, layer: string): unknown {
  if (!isRecord(value) || !isRecord(value.config)) return value;
  // Keras 3's QuantizedDTypePolicy (int8, float8, int4): the layer stores integer weights and scales.
  if (typeof value.config.mode === 'string') {
    throw new ModelFileError(
      ctx.file,
      `is a quantized dtype policy (${value.config.mode}); tfc imports float weights only: save the model before quantizing it`,
      { layer, option: 'dtype' },
    );
  }
  return typeof value.config.name === 'string' ? value.config.name : value;
}

/** A serialized layer `{class_name, config, name?, inbound_nodes?}` in Keras 2 form. */
function convertLayer(raw: unknown, ctx: Context, where: string): Json {
  // Keras 2.1 wrote a Sequential's config as its plain list of layers.
  const config = isRecord(raw) && raw.class_name === 'Sequential' && Array.isArray(raw.config) ? { layers: raw.config } : isRecord(raw) ? raw.config : undefined;
  if (!isRecord(raw) || typeof raw.class_name !== 'string' || !isRecord(config)) {
    throw new ModelFileError(ctx.file, `${where}: a layer must be an object with 'class_name' and 'config'`);
  }
  const className = raw.class_name === 'Functional' ? 'Model' : raw.class_name;
  const name = typeof raw.name === 'string' ? raw.name : typeof config.name === 'string' ? config.name : where;
  const out: Json = { class_name: className, config: convertConfig(raw.class_name, config, ctx, name) };
  if (typeof raw.name === 'string') out.name = raw.name;
  if (Array.isArray(raw.inbound_nodes)) {
    out.inbound_nodes = raw.inbound_nodes.map((node, k) => convertNode(node, ctx, name, k));
  }
  return out;
}

function convertConfig(className: string, config: Json, ctx: Context, layer: string): Json {
  if (CONTAINERS.has(className)) {
    const layers = (Array.isArray(config.layers) ? config.layers : []).map((l, i) =>
      convertLayer(l, ctx, `${className} '${layer}' layer ${i}`),
    );
    // A Sequential built with build(shape) instead of an Input keeps its input shape in build_input_shape.
    const first = layers[0];
    if (className === 'Sequential' && first && first.class_name !== 'InputLayer' && Array.isArray(config.build_input_shape)) {
      const firstConfig = first.config as Json;
      firstConfig.batch_input_shape ??= config.build_input_shape;
    }
    const out: Json = { ...config, layers, ...('dtype' in config ? { dtype: convertDType(config.dtype, ctx, layer) } : {}) };
    for (const key of ['input_layers', 'output_layers']) if (isRecord(out[key])) out[key] = flattenRefDict(out[key]);
    if (ctx.keras3) renumberSequentialCalls(out);
    return out;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (key in INERT_KERAS3_OPTIONS) {
      const inert = INERT_KERAS3_OPTIONS[key];
      if (inert === undefined || value === inert || value === null) continue;
    }
    if (key === 'dtype') out.dtype = convertDType(value, ctx, layer);
    else if (ACTIVATION_KEYS.includes(key)) out[key] = convertActivation(value, ctx, layer);
    else out[key] = value;
  }
  if (className === 'InputLayer' && 'batch_shape' in out) {
    out.batch_input_shape = out.batch_shape;
    delete out.batch_shape;
  }
  if (className === 'LeakyReLU' && 'negative_slope' in out) {
    out.alpha = out.negative_slope;
    delete out.negative_slope;
  }
  if (isRecord(out.layer)) out.layer = convertLayer(out.layer, ctx, `layer '${layer}' option 'layer'`);
  if (className === 'Bidirectional') convertBidirectional(out, ctx, layer);
  return out;
}

/**
 * A model built on a dict of inputs or outputs (`Model(inputs={'a': x},
 * outputs={'p': y, 'q': z})`) writes them as a dict; Keras flattens it in
 * sorted key order, and so does tfc.
 */
function flattenRefDict(refs: Json): unknown[] {
  return Object.keys(refs)
    .sort()
    .map((key) => refs[key]);
}

/**
 * Keras 2 gives a nested Sequential built on an input a call of its own
 * (node 0, input to output), so the calls in a model's config count from 1;
 * Keras 3 does not, and counts from 0. Renumbers a converted functional
 * config's references to such Sequentials (in call nodes and in
 * input/output_layers) the Keras 2 way.
 */
function renumberSequentialCalls(config: Json): void {
  const layers = config.layers as Json[];
  const shifted = new Set(
    layers.filter((l) => l.class_name === 'Sequential' && sequentialBuiltOnInput(l.config)).map((l) => String(l.name ?? (l.config as Json).name)),
  );
  if (shifted.size === 0) return;
  const shift = (ref: unknown): unknown =>
    Array.isArray(ref) && typeof ref[0] === 'string' && shifted.has(ref[0]) && typeof ref[1] === 'number' ? [ref[0], ref[1] + 1, ...ref.slice(2)] : ref;
  for (const l of layers) {
    if (Array.isArray(l.inbound_nodes)) l.inbound_nodes = l.inbound_nodes.map((node) => (Array.isArray(node) ? node.map(shift) : node));
  }
  for (const key of ['input_layers', 'output_layers']) {
    const refs = config[key];
    if (Array.isArray(refs)) config[key] = typeof refs[0] === 'string' ? shift(refs) : refs.map(shift);
  }
}

/**
 * Keras 3 names the wrapped layer `forward_<name>` and stores the backward
 * copy. tfc builds the backward layer itself (the same config with
 * `go_backwards` flipped), so a custom backward layer is an error.
 */
function convertBidirectional(config: Json, ctx: Context, layer: string): void {
  const forward = config.layer as Json | undefined;
  if (!isRecord(forward) || !isRecord(forward.config)) return;
  const forwardConfig = forward.config;
  if (typeof forwardConfig.name === 'string') forwardConfig.name = forwardConfig.name.replace(/^forward_/, '');
  const backward = config.backward_layer;
  delete config.backward_layer;
  if (backward === undefined || backward === null) return;
  const converted = convertLayer(backward, ctx, `layer '${layer}' option 'backward_layer'`);
  const backConfig = converted.config as Json;
  const mirrored =
    converted.class_name === forward.class_name &&
    backConfig.go_backwards !== forwardConfig.go_backwards &&
    Object.keys({ ...backConfig, ...forwardConfig }).every(
      (k) => k === 'name' || k === 'go_backwards' || JSON.stringify(backConfig[k]) === JSON.stringify(forwardConfig[k]),
    );
  if (!mirrored) {
    throw new ModelFileError(
      ctx.file,
      'a backward layer that is not the wrapped layer run backwards is not supported',
      { layer, option: 'backward_layer' },
    );
  }
}

/** A Keras 3 call node `{args, kwargs}` as a Keras 2 list of `[layer, node, tensor, kwargs]`. */
function convertNode(node: unknown, ctx: Context, layer: string, index: number): unknown {
  if (!isRecord(node)) return node;
  const kwargs = isRecord(node.kwargs) ? node.kwargs : {};
  if (containsKerasTensor(kwargs)) {
    throw new ModelFileError(
      ctx.file,
      `call ${index} passes a tensor as a keyword argument (${Object.keys(kwargs).join(', ')}); ` +
        'tfc supports layers called on positional inputs only',
      { layer },
    );
  }
  const refs: unknown[] = [];
  collectHistories(node.args, refs);
  if (refs.length === 0) {
    throw new ModelFileError(ctx.file, `call ${index} has no input tensors in its 'args'`, { layer });
  }
  return refs.map((ref) => {
    if (!Array.isArray(ref)) {
      throw new ModelFileError(ctx.file, `call ${index} has an input tensor whose 'keras_history' is not a list [layer, node, tensor]`, { layer });
    }
    return [...(ref as unknown[]), kwargs];
  });
}

function isKerasTensor(v: unknown): v is { config: { keras_history: unknown } } {
  return isRecord(v) && v.class_name === '__keras_tensor__' && isRecord(v.config);
}

function containsKerasTensor(v: unknown): boolean {
  if (isKerasTensor(v)) return true;
  if (Array.isArray(v)) return v.some(containsKerasTensor);
  if (isRecord(v)) return Object.values(v).some(containsKerasTensor);
  return false;
}

/** The `keras_history` of every tensor in a call's args, in order (merge layers take a list). */
function collectHistories(v: unknown, out: unknown[]): void {
  if (isKerasTensor(v)) out.push(v.config.keras_history);
  else if (Array.isArray(v)) for (const x of v) collectHistories(x, out);
}
