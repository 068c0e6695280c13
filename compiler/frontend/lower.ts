/**
 * Lowers a Keras layer graph (`ModelSpec`, from the DSL or an importer) to
 * an IR graph: one graph input per model input, each layer call lowered by
 * its LayerDef in topological order, weights as `const` values named
 * `<layer>/<weight>` (one set per layer, shared by all its calls).
 */
import '../ops/index.js';
import '../layers/index.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph, Value } from '../ir/graph.js';
import { formatShape, formatType, sameType, type TensorType } from '../ir/types.js';
import { LayerError, type LayerCall, type LayerInstance, type ModelSpec, type TensorRef } from '../layers/layer.js';

export interface LoweredModel {
  graph: Graph;
  /** Output types of every layer call, keyed `${layer}#${callIndex}` (for summaries and diagnostics). */
  callOutputTypes: Map<string, TensorType[]>;
}

/** Lowers a whole model into a new graph named after it, with its inputs and outputs. */
export function lowerModel(spec: ModelSpec): LoweredModel {
  const b = new GraphBuilder(spec.name);
  const inputs = spec.inputs.map((i) => b.input(i.name, { dtype: i.dtype, shape: i.shape }));
  const { outputs, callOutputTypes } = lowerCalls(b, spec, inputs);
  spec.outputs.forEach((o, i) => b.output(o.name, outputs[i]));
  return { graph: b.graph, callOutputTypes };
}

/** Lowers a (nested) model into an existing graph on the given inputs; returns its outputs. */
export function lowerModelInto(b: GraphBuilder, spec: ModelSpec, inputs: Value[]): Value[] {
  return lowerCalls(b, spec, inputs).outputs;
}

const refKey = (layer: string, call: number): string => `${layer}#${call}`;

function lowerCalls(b: GraphBuilder, spec: ModelSpec, inputs: Value[]): { outputs: Value[]; callOutputTypes: Map<string, TensorType[]> } {
  if (inputs.length !== spec.inputs.length) {
    throw new LayerError(`model '${spec.name}' takes ${spec.inputs.length} input(s), got ${inputs.length}`);
  }
  const env = new Map<string, Value[]>();
  spec.inputs.forEach((declared, i) => {
    const want: TensorType = { dtype: declared.dtype, shape: declared.shape };
    if (!sameType(want, inputs[i].type)) {
      throw new LayerError(`model '${spec.name}': input '${declared.name}' is ${formatType(want)}, got ${formatType(inputs[i].type)}`);
    }
    env.set(refKey(declared.name, 0), [inputs[i]]);
  });

  const layers = new Map<string, LayerInstance>();
  for (const layer of spec.layers) {
    if (layers.has(layer.name)) throw new LayerError(`model '${spec.name}': two layers are named '${layer.name}'`);
    layers.set(layer.name, layer);
  }

  const resolve = (ref: TensorRef): Value => {
    const v = env.get(refKey(ref.layer, ref.call))?.[ref.output];
    if (!v) throw new Error(`input refers to output ${ref.output} of call ${ref.call} of '${ref.layer}', which is not computed before this call`);
    return v;
  };

  const weightValues = new Map<string, Map<string, Value>>();
  const callOutputTypes = new Map<string, TensorType[]>();
  for (const call of spec.calls) {
    const layer = layers.get(call.layer);
    if (!layer) throw new LayerError(`model '${spec.name}': a call refers to unknown layer '${call.layer}'`);
    try {
      const args = call.inputs.map(resolve);
      const weights = layerWeights(b, layer, args, weightValues);
      const outs = layer.def.lower(b, layer.config, args, weights);
      env.set(refKey(layer.name, call.index), outs);
      callOutputTypes.set(refKey(layer.name, call.index), outs.map((v) => v.type));
    } catch (e) {
      throw wrapError(e, layer, call);
    }
  }

  const outputs = spec.outputs.map((o) => {
    const v = env.get(refKey(o.ref.layer, o.ref.call))?.[o.ref.output];
    if (!v) throw new LayerError(`model '${spec.name}': output '${o.name}' refers to '${o.ref.layer}' call ${o.ref.call} output ${o.ref.output}, which the model does not compute`);
    return v;
  });
  return { outputs, callOutputTypes };
}

/**
 * Checks the layer's weight data against what its definition expects for
 * these inputs and returns the `const` values, created at the layer's first call.
 */
function layerWeights(b: GraphBuilder, layer: LayerInstance, args: Value[], cache: Map<string, Map<string, Value>>): Map<string, Value> {
  const specs = layer.def.weights(layer.config, args.map((v) => v.type));
  for (const spec of specs) {
    const t = layer.weights.get(spec.name);
    if (!t) throw new Error(`missing weight '${spec.name}' (expected ${spec.dtype}${formatShape(spec.shape)})`);
    if (t.dtype !== spec.dtype || t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      const got = t.dtype === spec.dtype ? formatShape(t.shape) : `${t.dtype}${formatShape(t.shape)}`;
      const want = t.dtype === spec.dtype ? formatShape(spec.shape) : `${spec.dtype}${formatShape(spec.shape)}`;
      throw new Error(`weight '${spec.name}' has shape ${got}, expected ${want}`);
    }
  }
  const expected = new Set(specs.map((s) => s.name));
  for (const name of layer.weights.keys()) {
    if (!expected.has(name)) {
      throw new Error(`unexpected weight '${name}' (this layer has: ${specs.map((s) => s.name).join(', ') || 'no weights'})`);
    }
  }
  let values = cache.get(layer.name);
  if (!values) {
    values = new Map(specs.map((s) => [s.name, b.constant(`${layer.name}/${s.name}`, layer.weights.get(s.name)!)]));
    cache.set(layer.name, values);
  }
  return values;
}

/** `layer '<name>' (<Class>)[ at <source>]: <message>`, keeping the original as `cause`. */
function wrapError(e: unknown, layer: LayerInstance, call: LayerCall): LayerError {
  const message = e instanceof Error ? e.message : String(e);
  const at = call.source ? ` at ${call.source}` : '';
  const err = new LayerError(`layer '${layer.name}' (${layer.className})${at}: ${message}`);
  err.cause = e;
  return err;
}
