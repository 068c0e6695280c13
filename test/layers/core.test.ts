import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpret, type Tensor } from '../../compiler/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { compareTensors } from '../helpers/tolerance.js';
import { chainSpec, checkAgainstTfjs, random, randomTensor } from './harness.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sym = (x: tf.SymbolicTensor | tf.SymbolicTensor[] | tf.Tensor | tf.Tensor[]) => x as tf.SymbolicTensor;

describe('core layers against TF.js', () => {
  it('Dense on rank 2 and rank 3 inputs, with and without bias', () => {
    checkAgainstTfjs({
      inputShapes: [[5, 6]],
      build: ([x]) => {
        const h = sym(tf.layers.dense({ units: 4, activation: 'relu', name: 'd1' }).apply(x));
        const f = sym(tf.layers.flatten({ name: 'flat' }).apply(h));
        return sym(tf.layers.dense({ units: 3, useBias: false, activation: 'softmax', name: 'd2' }).apply(f));
      },
    });
  });

  it('Activation for every activation TF.js knows', () => {
    const names = ['relu', 'relu6', 'elu', 'selu', 'softplus', 'softsign', 'tanh', 'sigmoid', 'hardSigmoid', 'swish', 'mish', 'gelu', 'linear', 'softmax'] as const;
    checkAgainstTfjs({
      inputShapes: [[7]],
      build: ([x]) => names.map((a) => sym(tf.layers.activation({ activation: a, name: `act_${a}` }).apply(x))),
    });
  });

  it('Dropout is the identity; Reshape (with -1), Permute, RepeatVector', () => {
    checkAgainstTfjs({
      inputShapes: [[4, 6]],
      build: ([x]) => {
        const d = sym(tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(x));
        const r = sym(tf.layers.reshape({ targetShape: [3, 8], name: 'reshape' }).apply(d));
        const p = sym(tf.layers.permute({ dims: [2, 1], name: 'permute' }).apply(r));
        const f = sym(tf.layers.flatten({ name: 'flat' }).apply(p));
        return sym(tf.layers.repeatVector({ n: 3, name: 'repeat' }).apply(f));
      },
      editConfig: (cls, c) => (cls === 'Reshape' ? { ...c, target_shape: [-1, 8] } : c),
    });
  });

  it('Embedding gathers rows from float token ids', () => {
    const ids: Tensor = { dtype: 'f32', shape: [2, 5], data: Float32Array.from([0, 3, 9, 9, 1, 4, 2, 0, 7, 8]) };
    checkAgainstTfjs({
      inputShapes: [[5]],
      inputs: [ids],
      build: ([x]) => sym(tf.layers.embedding({ inputDim: 10, outputDim: 3, name: 'emb' }).apply(x)),
    });
  });
});

describe('activations TF.js layers lack', () => {
  const rand = random(7);
  const x = randomTensor([2, 9], rand, 5);
  const run = (activation: string): Tensor => {
    const spec = chainSpec(['N', 9], [{ name: 'act', className: 'Activation', config: { activation } }]);
    return interpret(lowerModel(spec).graph, [x])[0];
  };
  const expectClose = (got: Tensor, want: tf.Tensor) => {
    const expected: Tensor = { dtype: 'f32', shape: want.shape, data: Float32Array.from(want.dataSync()) };
    expect(compareTensors(got, expected)).toBeNull();
  };
  const tx = () => tf.tensor(Array.from(x.data), x.shape);

  it('hard_silu / hard_swish = x * relu6(x + 3) / 6, and hard_sigmoid_v3', () => {
    const gate = tf.div(tf.relu6(tf.add(tx(), 3)), 6);
    expectClose(run('hard_silu'), tf.mul(tx(), gate));
    expectClose(run('hard_swish'), tf.mul(tx(), gate));
    expectClose(run('hard_sigmoid_v3'), gate);
  });

  it('silu, exponential, log_softmax, leaky_relu', () => {
    expectClose(run('silu'), tf.mul(tx(), tf.sigmoid(tx())));
    expectClose(run('exponential'), tf.exp(tx()));
    expectClose(run('log_softmax'), tf.logSoftmax(tx()));
    expectClose(run('leaky_relu'), tf.leakyRelu(tx(), 0.2));
  });
});
