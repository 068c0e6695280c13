/**
 * model.save(dir) writes a TF.js layers model that tfc's Keras importer reads
 * back as the same model (same summary, same outputs from the interpreter),
 * and that TF.js loads and runs to the same outputs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { input, layers, model, sequential, summarizeModel, type Model } from '../../compiler/frontend/dsl/index.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { ModelSpec } from '../../compiler/layers/layer.js';
import { SeededRandom } from '../../compiler/util/random.js';
import { randomizeWeights } from '../helpers/random_weights.js';
import { compareTensors } from '../helpers/tolerance.js';

const dirs: string[] = [];
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function saveAndLoad(m: Model): Promise<{ file: string; spec: ModelSpec }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-save-'));
  dirs.push(dir);
  const file = await m.save(dir);
  return { file, spec: await loadKerasFile(file) };
}

/** Inputs for a spec at batch 2: ids in [0, 7) for int inputs, uniform floats otherwise. */
function sampleInputs(spec: ModelSpec, seed: number): Tensor[] {
  const r = new SeededRandom(seed);
  return spec.inputs.map((i) => {
    const shape = i.shape.map((d) => (d === 'N' ? 2 : d));
    const n = shape.reduce((a, b) => a * b, 1);
    return tensor(i.dtype, shape, Array.from({ length: n }, () => (i.dtype === 'i32' ? Math.floor(r.uniform(0, 7)) : r.uniform(-1, 1))));
  });
}

/** TF.js itself loads the saved files: an oracle that the format is real, not only what tfc reads. */
async function expectTfjsAgrees(file: string, original: ModelSpec, inputs: Tensor[]): Promise<void> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const bin = readFileSync(path.join(path.dirname(file), 'weights.bin'));
  const tfModel = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
  const xs = inputs.map((t) => tf.tensor(Array.from(t.data), t.shape, t.dtype === 'i32' ? 'int32' : 'float32'));
  const raw = tfModel.predict(xs.length === 1 ? xs[0] : xs);
  const ys = Array.isArray(raw) ? raw : [raw];
  const expected = interpret(lowerModel(original).graph, inputs);
  expect(ys.length).toBe(expected.length);
  ys.forEach((y, i) => expect(compareTensors(tensor('f32', y.shape, y.dataSync()), expected[i]), `TF.js output ${i}`).toBeNull());
  tf.dispose([...xs, ...ys]);
  tfModel.dispose();
}

async function expectRoundTrip(m: Model, seed: number): Promise<ModelSpec> {
  randomizeWeights(m, seed);
  const original = m.toSpec();
  const { file, spec } = await saveAndLoad(m);
  await expectTfjsAgrees(file, original, sampleInputs(original, seed + 2));
  expect(summarizeModel(spec)).toBe(summarizeModel(original));
  expect(spec.inputs).toEqual(original.inputs);
  expect(spec.outputs).toEqual(original.outputs);
  const inputs = sampleInputs(original, seed + 1);
  const expected = interpret(lowerModel(original).graph, inputs);
  const got = interpret(lowerModel(spec).graph, inputs);
  expect(got.length).toBe(expected.length);
  got.forEach((t, i) => expect(compareTensors(t, expected[i]), `output ${i}`).toBeNull());
  return spec;
}

describe('model.save', () => {
  it('round-trips a sequential model whose first layer declares the input', async () => {
    const m = sequential([
      layers.dense({ units: 8, activation: 'relu', inputShape: [5] }),
      layers.dropout({ rate: 0.3 }),
      layers.dense({ units: 3, activation: 'softmax', name: 'head' }),
    ]);
    const spec = await expectRoundTrip(m, 1);
    expect(spec.kind).toBe('Sequential');
  });

  it('round-trips a sequential CNN started with a named input(), batch norm included', async () => {
    const m = sequential(
      [
        input({ shape: [8, 8, 2], name: 'pixels' }),
        layers.zeroPadding2d({ padding: 1 }),
        layers.conv2d({ filters: 4, kernelSize: 3, strides: 2 }),
        layers.batchNormalization({}),
        layers.reLU({ maxValue: 6 }),
        layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }),
        layers.globalAveragePooling2d(),
        layers.dense({ units: 2 }),
      ],
      { name: 'small_cnn' },
    );
    const spec = await expectRoundTrip(m, 2);
    expect(spec.kind).toBe('Sequential');
    expect(spec.inputs[0].name).toBe('pixels');
  });

  it('round-trips an int32 input feeding an embedding', async () => {
    const m = sequential([input({ shape: [5], dtype: 'int32', name: 'ids' }), layers.embedding({ inputDim: 7, outputDim: 3 }), layers.flatten()]);
    await expectRoundTrip(m, 3);
  });

  it('round-trips a functional model: two inputs, two outputs, a shared layer, an LSTM with states', async () => {
    const a = input({ shape: [6, 3], name: 'seq' });
    const b = input({ shape: [3] });
    const [seq, h, c] = layers.lstm({ units: 4, returnSequences: true, returnState: true }).applyAll(a);
    const head = layers.dense({ units: 4 });
    const left = head.apply(h);
    const right = head.apply(layers.dense({ units: 4 }).apply(b));
    const out = layers.add().apply([left, right, c]);
    const spec = await expectRoundTrip(model({ inputs: [a, b], outputs: [out, seq], name: 'two_heads' }), 4);
    expect(spec.kind).toBe('Functional');
    expect(spec.calls.filter((k) => k.layer === 'dense').map((k) => k.index)).toEqual([0, 1]);
  });

  it('round-trips wrappers: Bidirectional recurrent layers and TimeDistributed', async () => {
    const x = input({ shape: [5, 6], name: 'sequence' });
    // TF.js' GRU lacks reset_after=true (Keras' default), which its oracle check needs.
    let y = layers.bidirectional({ layer: layers.gru({ units: 3, returnSequences: true, resetAfter: false }) }).apply(x);
    y = layers.timeDistributed({ layer: layers.dense({ units: 4, activation: 'tanh' }) }).apply(y);
    y = layers.bidirectional({ layer: layers.simpleRNN({ units: 2 }), mergeMode: 'sum' }).apply(y);
    const out = layers.dense({ units: 2, name: 'out' }).apply(y);
    await expectRoundTrip(model({ inputs: x, outputs: out, name: 'wrapped' }), 5);
  });

  it('writes a TF.js layers model: format, manifest names and float32 weights', async () => {
    const m = sequential([layers.dense({ units: 2, inputShape: [3], name: 'fc' })]);
    const { file } = await saveAndLoad(m);
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      format: string;
      modelTopology: { class_name: string; config: { layers: { config: Record<string, unknown> }[] } };
      weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
    };
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 3]);
    expect(json.weightsManifest).toEqual([
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'fc/kernel', shape: [3, 2], dtype: 'float32' },
          { name: 'fc/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ]);
    expect(readFileSync(path.join(path.dirname(file), 'weights.bin')).length).toBe(4 * (3 * 2 + 2));
  });
});
