/**
 * Keras 3 `.keras` import: archives written from the conformance cases (see
 * test/helpers/keras_writers.ts) must reproduce the cases' expected outputs,
 * and broken archives must fail with one clear message naming the file and
 * the layer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f32, type Tensor } from '../../compiler/ir/tensor.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { kerasSnakeCase } from '../../compiler/frontend/keras/keras3.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { listConformanceCases } from '../helpers/conformance.js';
import { modelFileCaseFailures } from '../helpers/model_file_case.js';
import { keras3Config, readTfjsCase, writeKeras3Archive, type Keras3Options, type TfjsCase } from '../helpers/keras_writers.js';
import { compareTensors } from '../helpers/tolerance.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfc-keras3-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeArchive(name: string, tc: TfjsCase, options?: Keras3Options): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, await writeKeras3Archive(tc, options));
  return file;
}

// `activations`, `lstm` and `gru` use Keras 2's hard_sigmoid (and ThresholdedReLU, gone in Keras 3),
// which a Keras 3 file cannot express; every other case can be saved by Keras 3 as it is.
const KERAS2_ONLY = new Set(['activations', 'lstm', 'gru']);
const cases = listConformanceCases().filter((c) => c.suite === 'keras');
const byName = (name: string) => cases.find((c) => c.name === name)!;

describe('Keras 3 .keras archives reproduce the conformance outputs', () => {
  it.each(cases.filter((c) => !KERAS2_ONLY.has(c.name)).map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const file = await writeArchive(`${name}.keras`, readTfjsCase(c.dir));
    expect(await modelFileCaseFailures(file, c)).toEqual([]);
  });

  it('finds an archive by its zip magic bytes when the extension says nothing', async () => {
    const c = byName('dense_mlp');
    const file = await writeArchive('dense_mlp.model', readTfjsCase(c.dir));
    expect(await modelFileCaseFailures(file, c)).toEqual([]);
  });
});

describe('Keras 3 config conversion', () => {
  it('snake-cases class names as Keras does', () => {
    expect(['Dense', 'Conv2D', 'BatchNormalization', 'SimpleRNN', 'Conv2DTranspose', 'DepthwiseConv2D', 'LSTM', 'InputLayer'].map(kerasSnakeCase)).toEqual([
      'dense',
      'conv2d',
      'batch_normalization',
      'simple_rnn',
      'conv2d_transpose',
      'depthwise_conv2d',
      'lstm',
      'input_layer',
    ]);
  });

  /** A Dense(4, hard_sigmoid) model on 5 features with fixed weights. */
  function hardSigmoidModel(): { tc: TfjsCase; kernel: number[]; bias: number[] } {
    const kernel = Array.from({ length: 20 }, (_, i) => Math.sin(i * 1.7) * 1.5);
    const bias = [0.5, -0.25, 1, -1];
    const tc: TfjsCase = {
      topology: {
        class_name: 'Sequential',
        config: {
          name: 'hs',
          layers: [{ class_name: 'Dense', config: { name: 'dense', units: 4, activation: 'hard_sigmoid', use_bias: true, batch_input_shape: [null, 5] } }],
        },
      },
      weights: new Map([
        ['dense/kernel', { shape: [5, 4], data: Float32Array.from(kernel) }],
        ['dense/bias', { shape: [4], data: Float32Array.from(bias) }],
      ]),
    };
    return { tc, kernel, bias };
  }

  async function predict(file: string, x: Tensor): Promise<Tensor> {
    const { graph } = lowerModel(await loadKerasFile(file));
    return interpret(graph, [x])[0];
  }

  it("gives 'hard_sigmoid' Keras 3's meaning relu6(x + 3) / 6, and Keras 2's in a Keras 2.x archive", async () => {
    const { tc, kernel, bias } = hardSigmoidModel();
    const xs = Array.from({ length: 15 }, (_, i) => (i - 7) * 0.9);
    const x = f32([3, 5], xs);
    const z = tf.add(tf.matMul(tf.tensor2d(xs, [3, 5]), tf.tensor2d(kernel, [5, 4])), tf.tensor1d(bias));
    const v3 = f32([3, 4], tf.div(tf.relu6(tf.add(z, 3)), 6).dataSync());
    const v2 = f32([3, 4], tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1).dataSync());
    expect(compareTensors(v3, v2)).not.toBeNull();

    const keras3 = await writeArchive('hs3.keras', tc);
    expect(compareTensors(await predict(keras3, x), v3)).toBeNull();
    // Keras 2.13-2.15 archives key layers by name; this one is tiny enough that both layouts agree.
    const keras2 = await writeArchive('hs2.keras', tc, { kerasVersion: '2.15.0' });
    expect(compareTensors(await predict(keras2, x), v2)).toBeNull();
  });
});

describe('broken .keras archives', () => {
  const mlp = () => readTfjsCase(byName('dense_mlp').dir);
  const load = (file: string) => loadKerasFile(file);

  it('rejects an archive without config.json', async () => {
    const file = path.join(dir, 'noconfig.keras');
    writeFileSync(file, zipSync({ 'metadata.json': strToU8('{"keras_version": "3.5.0"}') }));
    await expect(load(file)).rejects.toThrow(`${file}: is not a Keras 3 model archive: it has no config.json (it holds metadata.json)`);
  });

  it('rejects a corrupt zip', async () => {
    const file = path.join(dir, 'corrupt.keras');
    const good = await writeKeras3Archive(mlp());
    writeFileSync(file, good.subarray(0, 200));
    await expect(load(file)).rejects.toThrow(new RegExp(`^${file}: is not a valid \\.keras archive: the zip cannot be read`));
  });

  it('rejects weights that are not HDF5', async () => {
    const file = path.join(dir, 'badweights.keras');
    const config = strToU8(JSON.stringify(keras3Config(mlp().topology)));
    writeFileSync(file, zipSync({ 'config.json': config, 'model.weights.h5': strToU8('not hdf5 at all') }));
    await expect(load(file)).rejects.toThrow(`${file}: model.weights.h5: not a readable HDF5 file`);
  });

  it('names the layer and the dataset when a weight is missing', async () => {
    const file = await writeArchive('missing.keras', mlp(), { edit: (at, t) => (at === 'layers/dense_1/vars/1' ? undefined : t) });
    await expect(load(file)).rejects.toThrow(
      `${file}: layer 'dense_1': weight 'dense_1/bias': model.weights.h5 has only 1 variable(s) under '/layers/dense_1', so weight 1 ('bias') is missing`,
    );
  });

  it('names the dataset when a weight in the middle is missing', async () => {
    const file = await writeArchive('missing0.keras', mlp(), { edit: (at, t) => (at === 'layers/dense_2/vars/0' ? undefined : t) });
    await expect(load(file)).rejects.toThrow(
      `${file}: layer 'dense_2': weight 'dense_2/kernel': model.weights.h5 has no dataset '/layers/dense_2/vars/0', so weight 0 ('kernel') is missing`,
    );
  });

  it('rejects stored variables the layer does not have', async () => {
    const tc = mlp();
    tc.weights.set('dense_3/gamma', { shape: [1], data: Float32Array.of(1) });
    const file = await writeArchive('extra.keras', tc);
    await expect(load(file)).rejects.toThrow(`${file}: layer 'dense_3': model.weights.h5 has 3 variables for this Dense layer, which has 2 weight(s)`);
  });

  it('names the layer when a weight has the wrong shape', async () => {
    const file = await writeArchive('shape.keras', mlp(), {
      edit: (at, t) => (at === 'layers/dense/vars/0' ? { shape: [t.shape[1], t.shape[0]], data: t.data } : t),
    });
    await expect(load(file)).rejects.toThrow(/^.*shape\.keras: layer 'dense': weight 'dense\/kernel': has shape \[32,16\] in the file, but the Dense layer needs \[16,32\]$/);
  });

  it('rejects a config.json that is not JSON, naming the position', async () => {
    const file = path.join(dir, 'badjson.keras');
    writeFileSync(file, zipSync({ 'config.json': strToU8('{"class_name": "Sequential",\n  oops}') }));
    await expect(load(file)).rejects.toThrow(`${file}: config.json: malformed JSON at line 2`);
  });
});
