/**
 * A `ModelSpec` to Keras model JSON, the inverse of topology.ts: the
 * `modelTopology` of a TF.js layers model. Each layer keeps its `rawConfig`.
 *  - A chain of single-input layers, each called once (`kind: 'Sequential'`),
 *    is written as a `Sequential` whose first layer carries
 *    `batch_input_shape`, as TF.js writes it; an InputLayer entry comes first
 *    instead when the input is not named `<first layer>_input` (so the name
 *    survives the round trip) or is not float32.
 *  - Anything else is a functional `Model`: one InputLayer per input, each
 *    layer's calls as `inbound_nodes` (`[[layer, node, tensor, {}], ...]`),
 *    and `input_layers` / `output_layers`.
 */
import type { DType, Shape } from '../../ir/types.js';
import type { LayerCall, ModelSpec, RawConfig, TensorRef } from '../../layers/layer.js';

type Json = Record<string, unknown>;

const DTYPE_NAMES: Record<DType, string> = { f32: 'float32', i32: 'int32', bool: 'bool' };

function batchInputShape(shape: Shape): (number | null)[] {
  return shape.map((d) => (d === 'N' ? null : d));
}

function inputLayer(input: ModelSpec['inputs'][number]): Json {
  return {
    class_name: 'InputLayer',
    config: { batch_input_shape: batchInputShape(input.shape), dtype: DTYPE_NAMES[input.dtype], sparse: false, name: input.name },
  };
}

/** True when the spec is a plain chain a Sequential can express. */
function isChain(spec: ModelSpec): boolean {
  if (spec.kind !== 'Sequential' || spec.inputs.length !== 1 || spec.outputs.length !== 1) return false;
  if (spec.calls.length !== spec.layers.length || spec.calls.length === 0) return false;
  let previous: TensorRef = { layer: spec.inputs[0].name, call: 0, output: 0 };
  for (const [i, call] of spec.calls.entries()) {
    if (call.layer !== spec.layers[i].name || call.index !== 0 || call.inputs.length !== 1) return false;
    const [ref] = call.inputs;
    if (ref.layer !== previous.layer || ref.call !== previous.call || ref.output !== previous.output) return false;
    previous = { layer: call.layer, call: 0, output: 0 };
  }
  const out = spec.outputs[0].ref;
  return out.layer === previous.layer && out.call === 0 && out.output === 0;
}

function sequentialConfig(spec: ModelSpec): Json {
  const [input] = spec.inputs;
  const first = spec.layers[0];
  const layers: Json[] = spec.layers.map((l) => ({ class_name: l.className, config: l.rawConfig }));
  // An InputLayer entry keeps a name other than `<first layer>_input`, and a
  // non-float dtype, which on the first layer would become its weights' dtype.
  if (input.name !== `${first.name}_input` || input.dtype !== 'f32') {
    layers.unshift(inputLayer(input));
  } else {
    // The first layer declares the input, as in TF.js; its own config may lack the shape (a model started with input()).
    const declared: RawConfig = { ...first.rawConfig, batch_input_shape: batchInputShape(input.shape), dtype: DTYPE_NAMES[input.dtype] };
    layers[0] = { class_name: first.className, config: declared };
  }
  return { name: spec.name, layers };
}

function refEntry(ref: TensorRef): [string, number, number] {
  return [ref.layer, ref.call, ref.output];
}

function functionalConfig(spec: ModelSpec): Json {
  const callsOf = new Map<string, LayerCall[]>();
  for (const c of spec.calls) callsOf.set(c.layer, [...(callsOf.get(c.layer) ?? []), c]);
  const layers: Json[] = spec.inputs.map((i) => ({ name: i.name, ...inputLayer(i), inbound_nodes: [] }));
  for (const l of spec.layers) {
    const calls = [...(callsOf.get(l.name) ?? [])].sort((a, b) => a.index - b.index);
    layers.push({
      name: l.name,
      class_name: l.className,
      config: l.rawConfig,
      inbound_nodes: calls.map((c) => c.inputs.map((r) => [...refEntry(r), {}])),
    });
  }
  return {
    name: spec.name,
    layers,
    input_layers: spec.inputs.map((i) => [i.name, 0, 0]),
    output_layers: spec.outputs.map((o) => refEntry(o.ref)),
  };
}

/** The Keras model JSON (`{class_name, config}`) of a spec. */
export function kerasTopologyFromSpec(spec: ModelSpec): Json {
  return isChain(spec)
    ? { class_name: 'Sequential', config: sequentialConfig(spec) }
    : { class_name: 'Model', config: functionalConfig(spec) };
}
