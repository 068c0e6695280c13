/**
 * Test harness for layer lowering: builds the same model in TF.js layers
 * (the independent oracle) and as a tfc ModelSpec from TF.js' own Keras JSON
 * and weights, then compares lowerModel + interpret with TF.js predict.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { interpret, verifyGraph, type Tensor } from '../../compiler/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { getLayer, type LayerCall, type LayerInstance, type ModelSpec, type RawConfig } from '../../compiler/layers/index.js';
import { SeededRandom } from '../../compiler/util/random.js';
import { compareTensors } from '../helpers/tolerance.js';

/** Deterministic pseudo-random numbers, uniform in [-1, 1). */
export function random(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.uniform(-1, 1);
}

export function randomTensor(shape: number[], rand: () => number, scale = 1): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rand() * scale;
  return { dtype: 'f32', shape, data };
}

function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data), t.shape, 'float32');
}

function fromTf(t: tf.Tensor): Tensor {
  return { dtype: 'f32', shape: t.shape, data: Float32Array.from(t.dataSync()) };
}

interface KerasLayerJson {
  class_name: string;
  name: string;
  config: RawConfig;
  inbound_nodes: [string, number, number, unknown][][];
}

export interface OracleOptions {
  /** Input shapes without the batch axis, one per model input. */
  inputShapes: number[][];
  /** Builds the TF.js graph from its symbolic inputs. */
  build: (inputs: tf.SymbolicTensor[]) => tf.SymbolicTensor | tf.SymbolicTensor[];
  batch?: number;
  seed?: number;
  /** Overrides the random inputs (e.g. integer token ids). */
  inputs?: Tensor[];
  /** Edits a layer's Keras config before tfc parses it (to test Keras-only spellings). */
  editConfig?: (className: string, config: RawConfig) => RawConfig;
}

/**
 * Builds a TF.js functional model, gives every weight random values, turns
 * its Keras JSON and weights into a ModelSpec and checks that tfc computes
 * the same outputs. Returns the spec for further checks.
 */
export function checkAgainstTfjs(opts: OracleOptions): ModelSpec {
  const rand = random(opts.seed ?? 1);
  const symbolic = opts.inputShapes.map((shape, i) => tf.input({ shape, name: `in${i}` }));
  const outs = opts.build(symbolic);
  const model = tf.model({ inputs: symbolic, outputs: outs });
  for (const layer of model.layers) {
    layer.setWeights(
      layer.weights.map((w) => {
        const t = randomTensor(w.shape as number[], rand, 0.8);
        // Variances must be positive.
        if (w.originalName.endsWith('moving_variance')) t.data.forEach((v, i) => (t.data[i] = Math.abs(v) + 0.2));
        return toTf(t);
      }),
    );
  }
  const spec = specFromTfjs(model, opts.editConfig);

  const batch = opts.batch ?? 2;
  const inputs = opts.inputs ?? opts.inputShapes.map((shape) => randomTensor([batch, ...shape], rand, 2));
  const predicted = model.predict(inputs.map(toTf));
  const expected = (Array.isArray(predicted) ? predicted : [predicted]).map(fromTf);

  const lowered = lowerModel(spec);
  verifyGraph(lowered.graph);
  const got = interpret(lowered.graph, inputs);
  expect(got.length).toBe(expected.length);
  got.forEach((g, i) => expect(compareTensors(g, expected[i]), `output ${i}`).toBeNull());
  return spec;
}

/** A minimal TF.js-layers-JSON to ModelSpec conversion, for tests only. */
function specFromTfjs(model: tf.LayersModel, edit?: OracleOptions['editConfig']): ModelSpec {
  const topology = model.toJSON(null, false) as unknown as {
    config: { name: string; layers: KerasLayerJson[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] };
  };
  const cfg = topology.config;
  const inputNames = new Set(cfg.input_layers.map(([name]) => name));
  const layers: LayerInstance[] = [];
  const calls: LayerCall[] = [];
  const inputs: ModelSpec['inputs'] = [];
  for (const l of cfg.layers) {
    if (inputNames.has(l.name)) {
      const shape = (l.config.batch_input_shape as (number | null)[]).slice(1) as number[];
      inputs.push({ name: l.name, dtype: 'f32', shape: ['N', ...shape] });
      continue;
    }
    const tfLayer = model.getLayer(l.name);
    const weights = new Map<string, Tensor>();
    const values = tfLayer.getWeights();
    tfLayer.weights.forEach((w, i) => weights.set(w.originalName.slice(l.name.length + 1), fromTf(values[i])));
    const where = `layer '${l.name}' (${l.class_name})`;
    const def = getLayer(l.class_name, where);
    const rawConfig = edit ? edit(l.class_name, l.config) : l.config;
    layers.push({ name: l.name, className: l.class_name, def, config: def.parseConfig(rawConfig, where), rawConfig, weights });
    l.inbound_nodes.forEach((node, index) => {
      calls.push({ layer: l.name, index, inputs: node.map(([layer, call, output]) => ({ layer, call, output })) });
    });
  }
  return {
    name: cfg.name,
    kind: 'Functional',
    inputs,
    layers,
    calls,
    outputs: cfg.output_layers.map(([layer, call, output], i) => ({ name: `out${i}`, ref: { layer, call, output } })),
  };
}

/** Builds a ModelSpec by hand: a chain of layers on one input. */
export function chainSpec(
  inputShape: (number | 'N')[],
  chain: { name: string; className: string; config: RawConfig; weights?: Record<string, Tensor> }[],
): ModelSpec {
  const layers: LayerInstance[] = chain.map((l) => {
    const where = `layer '${l.name}' (${l.className})`;
    const def = getLayer(l.className, where);
    return {
      name: l.name,
      className: l.className,
      def,
      config: def.parseConfig(l.config, where),
      rawConfig: l.config,
      weights: new Map(Object.entries(l.weights ?? {})),
    };
  });
  const calls: LayerCall[] = chain.map((l, i) => ({
    layer: l.name,
    index: 0,
    inputs: [{ layer: i === 0 ? 'x' : chain[i - 1].name, call: 0, output: 0 }],
  }));
  return {
    name: 'chain',
    kind: 'Sequential',
    inputs: [{ name: 'x', dtype: 'f32', shape: inputShape }],
    layers,
    calls,
    outputs: [{ name: 'y', ref: { layer: chain[chain.length - 1].name, call: 0, output: 0 } }],
  };
}
