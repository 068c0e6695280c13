/**
 * Every DSL layer factory against TF.js layers: the same TF.js-style options
 * build a DSL model and a TF.js model; the DSL's initialized weights are
 * copied into TF.js and both must predict the same numbers. This checks the
 * option -> Keras config mapping and Keras defaults, not the layers themselves
 * (those have their own tests).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { input, layers, model, sequential, type Layer, type Model, type SymbolicTensor } from '../../compiler/frontend/dsl/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { randomTensor } from '../ops/random.js';
import { compareTensors } from '../helpers/tolerance.js';

type Options = Record<string, unknown>;
type Step = [factory: string, options: Options];

/** TF.js spells a few factories differently. */
const TFJS_NAME: Record<string, string> = { pReLU: 'prelu', cropping2d: 'cropping2D' };

const randomBias = { className: 'RandomNormal', config: { stddev: 0.5 } };
const positive = { className: 'RandomUniform', config: { minval: 0.5, maxval: 1.5 } };

function dslLayer(name: string, options: Options): Layer {
  const factory = (layers as unknown as Record<string, (o: Options) => Layer>)[name];
  return factory(options);
}

/** TF.js gets the same options minus initializers (weights are copied over anyway). */
function tfjsLayer(name: string, options: Options): tf.layers.Layer {
  const plain = Object.fromEntries(Object.entries(options).filter(([k]) => !k.endsWith('Initializer')));
  const factory = (tf.layers as unknown as Record<string, (o: Options) => tf.layers.Layer>)[TFJS_NAME[name] ?? name];
  return factory(plain);
}

function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data), t.shape, t.dtype === 'i32' ? 'int32' : 'float32');
}

/** Copies each DSL layer's weights, in Keras order, into the TF.js layer at the same position. */
function copyWeights(ours: Model, theirs: tf.layers.Layer[]): void {
  const spec = ours.toSpec();
  expect(spec.layers.length).toBe(theirs.length);
  spec.layers.forEach((l, i) => {
    const values = [...l.weights.values()].map(toTf);
    expect(values.length, `weights of ${l.name}`).toBe(theirs[i].getWeights().length);
    theirs[i].setWeights(values);
  });
}

function predictBoth(ours: Model, theirs: tf.LayersModel, inputs: Tensor[]): void {
  const { graph } = lowerModel(ours.toSpec());
  verifyGraph(graph);
  const got = interpret(graph, inputs);
  const want = theirs.predict(inputs.map(toTf));
  const wantList = Array.isArray(want) ? want : [want];
  expect(got.length).toBe(wantList.length);
  got.forEach((g, j) => {
    const w = wantList[j];
    const expected: Tensor = { dtype: 'f32', shape: w.shape, data: w.dataSync() as Float32Array };
    expect(compareTensors(g, expected), `output ${j}`).toBeNull();
  });
}

/** A sequential stack built both ways, then compared on a random batch of 3. */
function checkSequential(steps: Step[], inputShape: number[], data?: Tensor): void {
  const ours = sequential(steps.map(([n, o]) => dslLayer(n, o)));
  const theirLayers = steps.map(([n, o]) => tfjsLayer(n, o));
  const theirs = tf.sequential({ layers: theirLayers });
  copyWeights(ours, theirLayers);
  predictBoth(ours, theirs, [data ?? randomTensor([3, ...inputShape], 11)]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('DSL layers match TF.js layers built from the same options', () => {
  it('image layers', () => {
    checkSequential(
      [
        ['conv2d', { filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu', inputShape: [9, 10, 3], biasInitializer: randomBias }],
        ['depthwiseConv2d', { kernelSize: 3, depthMultiplier: 2, padding: 'same', biasInitializer: randomBias }],
        [
          'batchNormalization',
          { gammaInitializer: positive, betaInitializer: randomBias, movingMeanInitializer: randomBias, movingVarianceInitializer: positive },
        ],
        ['separableConv2d', { filters: 5, kernelSize: 2, activation: 'tanh', biasInitializer: randomBias }],
        ['zeroPadding2d', { padding: [1, 2] }],
        ['maxPooling2d', { poolSize: 2, strides: 1, padding: 'same' }],
        ['averagePooling2d', { poolSize: [2, 3] }],
        ['upSampling2d', { size: [2, 2] }],
        ['cropping2d', { cropping: [[1, 0], [0, 1]] }],
        ['conv2dTranspose', { filters: 3, kernelSize: 3, strides: 2, padding: 'same', biasInitializer: randomBias }],
        ['conv2d', { filters: 2, kernelSize: 3, dilationRate: 2, useBias: false, kernelInitializer: 'heNormal' }],
        ['globalMaxPooling2d', {}],
        ['dense', { units: 4, activation: 'softmax', biasInitializer: randomBias }],
      ],
      [9, 10, 3],
    );
    checkSequential(
      [
        ['averagePooling2d', { poolSize: 3, strides: 2, padding: 'same', inputShape: [7, 8, 2] }],
        ['globalAveragePooling2d', {}],
      ],
      [7, 8, 2],
    );
  });

  it('sequence and recurrent layers', () => {
    checkSequential(
      [
        ['conv1d', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [12, 3], biasInitializer: randomBias }],
        ['maxPooling1d', { poolSize: 2 }],
        ['averagePooling1d', { poolSize: 2, strides: 1, padding: 'same' }],
        ['layerNormalization', { gammaInitializer: positive, betaInitializer: randomBias }],
        ['lstm', { units: 5, returnSequences: true, recurrentActivation: 'sigmoid', biasInitializer: randomBias }],
        // TF.js defaults recurrentActivation to hardSigmoid, the DSL to Keras' sigmoid: give it explicitly.
        ['gru', { units: 4, returnSequences: true, resetAfter: false, goBackwards: true, recurrentActivation: 'sigmoid', biasInitializer: randomBias }],
        ['simpleRNN', { units: 3, returnSequences: true, activation: 'relu', biasInitializer: randomBias }],
        ['globalMaxPooling1d', {}],
      ],
      [12, 3],
    );
    checkSequential([['globalAveragePooling1d', { inputShape: [6, 4] }]], [6, 4]);
  });

  it('wrappers: bidirectional and timeDistributed', () => {
    const x = randomTensor([3, 5, 6], 5);
    const ours = sequential([
      layers.bidirectional({ layer: layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }), mergeMode: 'concat', inputShape: [5, 6] }),
      layers.timeDistributed({ layer: layers.dense({ units: 4, biasInitializer: randomBias }) }),
      layers.bidirectional({ layer: layers.gru({ units: 2, resetAfter: false, recurrentActivation: 'sigmoid' }), mergeMode: 'ave' }),
    ]);
    const theirLayers = [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat', inputShape: [5, 6] }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4 }) }),
      // TF.js only implements reset_after=false, its default.
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'ave' }),
    ];
    const theirs = tf.sequential({ layers: theirLayers });
    copyWeights(ours, theirLayers);
    predictBoth(ours, theirs, [x]);
  });

  it('core and activation layers', () => {
    const ids = randomTensor([3, 6], 3, { min: 0, max: 10, dtype: 'i32' });
    const idsAsFloat: Tensor = { dtype: 'f32', shape: ids.shape, data: Float32Array.from(ids.data) };
    checkSequential(
      [
        ['embedding', { inputDim: 10, outputDim: 4, inputShape: [6] }],
        ['flatten', {}],
        ['dense', { units: 12, activation: 'elu', biasInitializer: randomBias }],
        ['dropout', { rate: 0.3 }],
        ['reshape', { targetShape: [3, 4] }],
        ['permute', { dims: [2, 1] }],
        ['reLU', { maxValue: 0.5 }],
        ['dense', { units: 3, activation: 'linear', biasInitializer: randomBias }],
        ['leakyReLU', { alpha: 0.1 }],
        ['pReLU', { alphaInitializer: positive }],
        ['elu', {}],
        ['thresholdedReLU', { theta: 0.1 }],
        ['flatten', {}],
        ['dense', { units: 5, activation: 'hardSigmoid', biasInitializer: randomBias }],
        ['softmax', {}],
        ['repeatVector', { n: 2 }],
        ['activation', { activation: 'tanh' }],
        ['globalAveragePooling1d', {}],
      ],
      [6],
      idsAsFloat,
    );
  });

  it('merge layers in a functional model, with a shared layer', () => {
    const a = input({ shape: [4, 6], name: 'a' });
    const b = input({ shape: [4, 6], name: 'b' });
    const shared = layers.dense({ units: 6, biasInitializer: randomBias });
    const da = shared.apply(a);
    const db = shared.apply(b);
    const merged: [string, SymbolicTensor][] = [
      ['add', layers.add().apply([da, db, a])],
      ['multiply', layers.multiply().apply([da, db])],
      ['average', layers.average().apply([da, db])],
      ['maximum', layers.maximum().apply([da, db])],
      ['minimum', layers.minimum().apply([da, db])],
    ];
    const cat = layers.concatenate({ axis: 1 }).apply(merged.map(([, t]) => t));
    const dot = layers.dot({ axes: [2, 2], normalize: true }).apply([da, db]);
    const ours = model({ inputs: [a, b], outputs: [cat, dot] });

    const ta = tf.input({ shape: [4, 6] });
    const tb = tf.input({ shape: [4, 6] });
    const tShared = tf.layers.dense({ units: 6 });
    const tda = tShared.apply(ta) as tf.SymbolicTensor;
    const tdb = tShared.apply(tb) as tf.SymbolicTensor;
    const tMerged = [
      tf.layers.add().apply([tda, tdb, ta]),
      tf.layers.multiply().apply([tda, tdb]),
      tf.layers.average().apply([tda, tdb]),
      tf.layers.maximum().apply([tda, tdb]),
      tf.layers.minimum().apply([tda, tdb]),
    ] as tf.SymbolicTensor[];
    const tCat = tf.layers.concatenate({ axis: 1 }).apply(tMerged) as tf.SymbolicTensor;
    const tDot = tf.layers.dot({ axes: [2, 2], normalize: true }).apply([tda, tdb]) as tf.SymbolicTensor;
    const theirs = tf.model({ inputs: [ta, tb], outputs: [tCat, tDot] });
    tShared.setWeights([...ours.toSpec().layers[0].weights.values()].map(toTf));
    predictBoth(ours, theirs, [randomTensor([3, 4, 6], 1), randomTensor([3, 4, 6], 2)]);
  });

  it('subtract computes inputs[0] - inputs[1] (TF.js has no Subtract layer)', () => {
    const a = input({ shape: [5] });
    const b = input({ shape: [5] });
    const ours = model({ inputs: [a, b], outputs: layers.subtract().apply([a, b]) });
    const x = randomTensor([2, 5], 7);
    const y = randomTensor([2, 5], 8);
    const [got] = interpret(lowerModel(ours.toSpec()).graph, [x, y]);
    const want: Tensor = { dtype: 'f32', shape: [2, 5], data: Float32Array.from(x.data, (v, i) => v - y.data[i]) };
    expect(compareTensors(got, want)).toBeNull();
  });
});
