/**
 * DSL models: `input()`, `model({inputs, outputs})` and `sequential([...])`.
 * A model is a traced layer graph; `toSpec()` turns it into the ModelSpec
 * that the rest of the compiler consumes, naming layers like Keras does
 * (`dense`, `dense_1`, ...) per model build.
 */
import * as path from 'node:path';
import type { Tensor } from '../../ir/tensor.js';
import { formatShape, sameShape, type TensorType } from '../../ir/types.js';
import type { LayerCall, LayerInstance, ModelSpec, TensorRef } from '../../layers/layer.js';
import { summarizeModel } from '../summary.js';
import { messageOf, ModelBuildError } from './errors.js';
import { saveModelSpec } from './save.js';
import { defaultLayerName, Layer, type NameOf } from './layer.js';
import { toDType, type DTypeName } from './options.js';
import { callerLocation } from './source.js';
import { nextNodeId, SymbolicTensor, toIRShape, type CallNode, type InputNode } from './symbolic.js';
import { withinWeightLimit } from './weight_limit.js';

/** What the CLI needs from a model module's export. */
export interface TracedModel {
  toSpec(): ModelSpec;
  summary(): string;
}

/** Duck-typed, so models built by another copy of the package are recognized too. */
export function isTracedModel(x: unknown): x is TracedModel {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  return typeof m.toSpec === 'function' && typeof m.summary === 'function';
}

export interface InputOptions {
  /** Shape without the batch dimension. */
  shape: (number | null)[];
  name?: string;
  dtype?: DTypeName;
}

/** The type of an input() tensor: the shape gets a leading batch dimension `N`. */
function inputType(options: InputOptions): TensorType {
  const dtype = toDType(options.dtype, 'input()');
  if (!Array.isArray(options.shape) || !options.shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)) {
    throw new Error(`input(): shape ${JSON.stringify(options.shape)} must be positive integers (without the batch dimension)`);
  }
  return { dtype, shape: toIRShape([null, ...options.shape]) };
}

/** A symbolic model input with a batch dimension of any size. */
export function input(options: InputOptions): SymbolicTensor {
  const source = callerLocation();
  let type: TensorType;
  try {
    type = inputType(options);
  } catch (e) {
    throw new ModelBuildError(messageOf(e), source, { cause: e });
  }
  const node: InputNode = {
    kind: 'input',
    id: nextNodeId(),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(source !== undefined ? { source } : {}),
  };
  return new SymbolicTensor(type, node, 0);
}

type Named = Layer | InputNode;

/** Layer and input names of one model build: explicit names kept, defaults numbered like Keras. */
function assignNames(inputs: InputNode[], calls: CallNode[], sequentialInput: boolean, source: string | undefined): Map<Named, string> {
  const names = new Map<Named, string>();
  const taken = new Map<string, Named>();
  const claim = (owner: Named, name: string): void => {
    const other = taken.get(name);
    if (other && other !== owner) throw new ModelBuildError(`two different layers or inputs are named '${name}'`, source);
    taken.set(name, owner);
    names.set(owner, name);
  };
  const layers: Layer[] = [];
  const addLayer = (l: Layer): void => {
    if (layers.includes(l)) return;
    if (l.inner) addLayer(l.inner);
    layers.push(l);
  };
  for (const c of calls) addLayer(c.layer);
  for (const i of inputs) if (i.name !== undefined) claim(i, i.name);
  for (const l of layers) if (l.name !== undefined) claim(l, l.name);
  const fresh = (owner: Named, base: string): void => {
    if (names.has(owner)) return;
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    claim(owner, name);
  };
  if (!sequentialInput) for (const i of inputs) fresh(i, 'input');
  for (const l of layers) fresh(l, defaultLayerName(l.className));
  // Keras names a sequential model's input after its first layer.
  if (sequentialInput) fresh(inputs[0], `${names.get(calls[0].layer)}_input`);
  return names;
}

/** Calls that the outputs depend on, in creation (hence topological) order. */
function collectCalls(inputs: InputNode[], outputs: SymbolicTensor[], source: string | undefined): CallNode[] {
  const seen = new Set<CallNode>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const p = t.producer;
    if (p.kind === 'input') {
      if (!inputs.includes(p)) {
        throw new ModelBuildError(
          `an output depends on an input${p.name ? ` '${p.name}'` : ''}${p.source ? ` (made at ${p.source})` : ''} that is not in the model's inputs`,
          source,
        );
      }
    } else if (!seen.has(p)) {
      seen.add(p);
      stack.push(...p.inputs);
    }
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

function asList(x: SymbolicTensor | SymbolicTensor[], what: string, source: string | undefined): SymbolicTensor[] {
  const list = Array.isArray(x) ? x : [x];
  if (list.length === 0) throw new ModelBuildError(`model(): ${what} is empty`, source);
  list.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) throw new ModelBuildError(`model(): ${what}[${i}] is not a symbolic tensor`, source);
  });
  return list;
}

export class Model implements TracedModel {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  private readonly calls: CallNode[];
  private readonly names: Map<Named, string>;

  constructor(
    readonly name: string,
    readonly kind: 'Sequential' | 'Functional',
    inputs: SymbolicTensor[],
    outputs: SymbolicTensor[],
    source: string | undefined,
  ) {
    this.inputs = inputs;
    this.outputs = outputs;
    const inputNodes = inputs.map((t) => t.producer as InputNode);
    this.calls = collectCalls(inputNodes, outputs, source);
    this.names = assignNames(inputNodes, this.calls, kind === 'Sequential' && inputNodes[0].name === undefined, source);
  }

  /** The model's layers in call order (wrapped layers excluded). */
  get layers(): Layer[] {
    return [...new Set(this.calls.map((c) => c.layer))];
  }

  private readonly nameOf: NameOf = (l) => this.names.get(l)!;

  toSpec(): ModelSpec {
    const callIndex = new Map<CallNode, number>();
    const perLayer = new Map<Layer, number>();
    for (const c of this.calls) {
      const k = perLayer.get(c.layer) ?? 0;
      callIndex.set(c, k);
      perLayer.set(c.layer, k + 1);
    }
    const ref = (t: SymbolicTensor): TensorRef =>
      t.producer.kind === 'input'
        ? { layer: this.names.get(t.producer)!, call: 0, output: 0 }
        : { layer: this.nameOf(t.producer.layer), call: callIndex.get(t.producer)!, output: t.outputIndex };
    const layers: LayerInstance[] = this.layers.map((l) => {
      const name = this.nameOf(l);
      let config: unknown;
      try {
        config = l.parse(this.nameOf);
      } catch (e) {
        throw new ModelBuildError(messageOf(e), l.createdAt, { cause: e });
      }
      // A copy, so a consumer editing the map cannot change the model's weights.
      const weights = new Map(l.weights(name));
      return { name, className: l.className, def: l.def, config, rawConfig: l.kerasConfig(this.nameOf), weights };
    });
    const calls: LayerCall[] = this.calls.map((c) => ({
      layer: this.nameOf(c.layer),
      index: callIndex.get(c)!,
      inputs: c.inputs.map(ref),
      ...(c.source !== undefined ? { source: c.source } : {}),
    }));
    const used = new Set<string>();
    const outputs = this.outputs.map((t) => {
      const r = ref(t);
      let name = r.layer;
      for (let k = 1; used.has(name); k++) name = `${r.layer}_${k}`;
      used.add(name);
      return { name, ref: r };
    });
    return {
      name: this.name,
      kind: this.kind,
      inputs: this.inputs.map((t) => ({ name: this.names.get(t.producer as InputNode)!, dtype: t.dtype, shape: [...t.type.shape] })),
      layers: withinWeightLimit(layers, this.name),
      calls,
      outputs,
    };
  }

  /**
   * Writes the model as a TF.js layers model (`model.json` and `weights.bin`)
   * into `dir`, which Keras' TF.js loaders and tfc read back; returns the
   * model.json path.
   */
  async save(dir: string): Promise<string> {
    return saveModelSpec(this.toSpec(), dir);
  }

  /** Keras' summary table. */
  summary(): string {
    return summarizeModel(this.toSpec());
  }

  /**
   * Loads weights by layer name from a Keras file (TF.js model.json, .keras,
   * .h5). Every layer with weights must be in the file with the same weight
   * shapes; nothing changes unless all of them fit.
   */
  async loadWeights(file: string): Promise<void> {
    const { loadKerasFile } = await import('../keras/index.js');
    const where = `loadWeights('${file}')`;
    const source = await loadKerasFile(path.resolve(file));
    const byName = new Map(source.layers.map((l) => [l.name, l]));
    const updates: [Layer, Map<string, Tensor>][] = [];
    for (const layer of this.layers) {
      const specs = layer.weightSpecs();
      if (specs.length === 0) continue;
      const name = this.nameOf(layer);
      const label = layer.describe(name);
      const theirs = byName.get(name);
      if (!theirs) {
        const available = source.layers.filter((l) => l.weights.size > 0).map((l) => l.name);
        throw new ModelBuildError(`${where}: ${label} is not in the file (layers with weights there: ${available.join(', ') || 'none'})`);
      }
      const data = new Map<string, Tensor>();
      for (const spec of specs) {
        const t = theirs.weights.get(spec.name);
        if (!t) throw new ModelBuildError(`${where}: ${label}: the file has no weight '${spec.name}'`);
        if (!sameShape(t.shape, spec.shape) || t.dtype !== spec.dtype) {
          throw new ModelBuildError(
            `${where}: ${label}: weight '${spec.name}' is ${t.dtype}${formatShape(t.shape)} in the file, the model expects ${spec.dtype}${formatShape(spec.shape)}`,
          );
        }
        data.set(spec.name, t);
      }
      updates.push([layer, data]);
    }
    for (const [layer, data] of updates) layer.setWeights(data);
  }
}

/** A functional model from input() tensors to the tensors layers produced from them. */
export function model(options: {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}): Model {
  const source = callerLocation();
  const inputs = asList(options.inputs, 'inputs', source);
  inputs.forEach((t, i) => {
    if (t.producer.kind !== 'input') throw new ModelBuildError(`model(): inputs[${i}] is not made by input()`, source);
  });
  if (new Set(inputs).size !== inputs.length) throw new ModelBuildError('model(): an input is listed twice', source);
  const outputs = asList(options.outputs, 'outputs', source);
  return new Model(options.name ?? 'model', 'Functional', inputs, outputs, source);
}

/**
 * A stack of single-input, single-output layers. The first entry is an
 * input() tensor, or a layer given `inputShape` / `batchInputShape`.
 * A shape error is reported at the factory call of the offending layer.
 */
export function sequential(entries: (Layer | SymbolicTensor)[], options: { name?: string } = {}): Model {
  const source = callerLocation();
  if (!Array.isArray(entries) || entries.length === 0) throw new ModelBuildError('sequential(): needs at least one layer', source);
  const [first, ...rest] = entries;
  let x: SymbolicTensor;
  let layerList: unknown[];
  if (first instanceof SymbolicTensor) {
    if (first.producer.kind !== 'input') throw new ModelBuildError('sequential(): the first entry must be input() or a layer', source);
    x = first;
    layerList = rest;
  } else if (first instanceof Layer) {
    if (!first.inputType) {
      throw new ModelBuildError(
        `${first.describe(first.name ?? defaultLayerName(first.className))}: the first layer of a sequential model needs inputShape or batchInputShape (or start the list with input(...))`,
        first.createdAt ?? source,
      );
    }
    const node: InputNode = { kind: 'input', id: nextNodeId(), ...(source !== undefined ? { source } : {}) };
    x = new SymbolicTensor(first.inputType, node, 0);
    layerList = entries;
  } else {
    throw new ModelBuildError('sequential(): entries must be layers made by layers.<name>(...)', source);
  }
  if (layerList.length === 0) throw new ModelBuildError('sequential(): needs at least one layer', source);
  const input = x;
  layerList.forEach((l, i) => {
    if (!(l instanceof Layer)) throw new ModelBuildError(`sequential(): entry ${i} is not a layer made by layers.<name>(...)`, source);
    const at = l.createdAt ?? source;
    const outs = l.call([x], at);
    if (outs.length !== 1) {
      throw new ModelBuildError(`${l.describe(l.name ?? defaultLayerName(l.className))} has ${outs.length} outputs; a sequential model needs one`, at);
    }
    x = outs[0];
  });
  return new Model(options.name ?? 'sequential', 'Sequential', [input], [x], source);
}
