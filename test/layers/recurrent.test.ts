import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpret, type Tensor } from '../../compiler/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { compareTensors } from '../helpers/tolerance.js';
import { chainSpec, checkAgainstTfjs, random, randomTensor } from './harness.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Sym = tf.SymbolicTensor;
const sym = (x: Sym | Sym[] | tf.Tensor | tf.Tensor[]) => x as Sym;
const syms = (x: Sym | Sym[] | tf.Tensor | tf.Tensor[]) => x as Sym[];

describe('recurrent layers against TF.js', () => {
  it('SimpleRNN: sequences, last step, go_backwards, relu', () => {
    checkAgainstTfjs({
      inputShapes: [[5, 3]],
      build: ([x]) => [
        sym(tf.layers.simpleRNN({ units: 4, returnSequences: true, name: 'rnn_seq' }).apply(x)),
        sym(tf.layers.simpleRNN({ units: 3, activation: 'relu', name: 'rnn_last' }).apply(x)),
        sym(tf.layers.simpleRNN({ units: 2, returnSequences: true, goBackwards: true, name: 'rnn_back' }).apply(x)),
      ],
    });
  });

  it('LSTM: sequences, last step with hard_sigmoid, return_state, go_backwards', () => {
    checkAgainstTfjs({
      inputShapes: [[6, 4]],
      build: ([x]) => [
        sym(tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm_seq' }).apply(x)),
        sym(tf.layers.lstm({ units: 3, recurrentActivation: 'hardSigmoid', name: 'lstm_last' }).apply(x)),
        ...syms(tf.layers.lstm({ units: 2, returnState: true, recurrentActivation: 'sigmoid', name: 'lstm_state' }).apply(x)),
        sym(tf.layers.lstm({ units: 2, returnSequences: true, goBackwards: true, recurrentActivation: 'sigmoid', name: 'lstm_back' }).apply(x)),
      ],
    });
  });

  it('GRU reset_after false: sequences, last step, return_state, go_backwards', () => {
    checkAgainstTfjs({
      inputShapes: [[6, 4]],
      build: ([x]) => [
        sym(tf.layers.gru({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', name: 'gru_seq' }).apply(x)),
        ...syms(tf.layers.gru({ units: 3, returnState: true, recurrentActivation: 'hardSigmoid', name: 'gru_state' }).apply(x)),
        sym(tf.layers.gru({ units: 2, goBackwards: true, returnSequences: true, useBias: false, recurrentActivation: 'sigmoid', name: 'gru_back' }).apply(x)),
      ],
    });
  });

  it('GRU reset_after true matches a hand-written loop (bias [2, 3u])', () => {
    const rand = random(21);
    const [n, t, f, u] = [2, 5, 3, 4];
    const kernel = randomTensor([f, 3 * u], rand);
    const recurrent = randomTensor([u, 3 * u], rand);
    const bias = randomTensor([2, 3 * u], rand);
    const x = randomTensor([n, t, f], rand, 2);
    for (const goBackwards of [false, true]) {
      const spec = chainSpec(['N', t, f], [
        {
          name: 'gru',
          className: 'GRU',
          config: { units: u, reset_after: true, return_sequences: true, go_backwards: goBackwards },
          weights: { kernel, recurrent_kernel: recurrent, bias },
        },
      ]);
      const got = interpret(lowerModel(spec).graph, [x])[0];

      const W = tf.tensor2d(Array.from(kernel.data), [f, 3 * u]);
      const U = tf.tensor2d(Array.from(recurrent.data), [u, 3 * u]);
      const [bIn, bRec] = tf.split(tf.tensor2d(Array.from(bias.data), [2, 3 * u]), 2, 0);
      const X = tf.tensor3d(Array.from(x.data), [n, t, f]);
      let h: tf.Tensor = tf.zeros([n, u]);
      const steps: tf.Tensor[] = [];
      const order = [...Array(t).keys()];
      if (goBackwards) order.reverse();
      for (const step of order) {
        const xt = tf.squeeze(tf.slice(X, [0, step, 0], [n, 1, f]), [1]);
        const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xt, W), bIn), 3, 1);
        const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, U), bRec), 3, 1);
        const z = tf.sigmoid(tf.add(xz, hz));
        const r = tf.sigmoid(tf.add(xr, hr));
        const candidate = tf.tanh(tf.add(xh, tf.mul(r, hh)));
        h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
        steps.push(h);
      }
      const want = tf.stack(steps, 1);
      expect(compareTensors(got, { dtype: 'f32', shape: want.shape, data: Float32Array.from(want.dataSync()) })).toBeNull();
    }
  });
});

describe('wrappers against TF.js', () => {
  it('Bidirectional over LSTM / GRU / SimpleRNN with every merge mode, then TimeDistributed(Dense)', () => {
    checkAgainstTfjs({
      inputShapes: [[5, 6]],
      build: ([x]) => {
        const a = sym(
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm' }), mergeMode: 'concat', name: 'bi_concat' }).apply(x),
        );
        const td = sym(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'relu', name: 'dense' }), name: 'td' }).apply(a));
        const b = sym(
          tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', name: 'gru' }), mergeMode: 'sum', name: 'bi_sum' }).apply(td),
        );
        const c = sym(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2, returnSequences: true, name: 'rnn' }), mergeMode: 'mul', name: 'bi_mul' }).apply(b));
        const d = sym(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', name: 'lstm_1' }), mergeMode: 'ave', name: 'bi_ave' }).apply(c));
        return [td, d];
      },
    });
  });

  it('Bidirectional merge_mode null returns both directions', () => {
    const spec = checkAgainstTfjs({
      inputShapes: [[4, 3]],
      build: ([x]) => sym(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, returnSequences: true, name: 'gru' }), mergeMode: 'concat', name: 'bi' }).apply(x)),
    });
    const bi = spec.layers[0];
    const split = { ...spec, layers: [{ ...bi, config: bi.def.parseConfig({ ...bi.rawConfig, merge_mode: null }, 'bi') }] };
    split.outputs = [0, 1].map((output) => ({ name: `o${output}`, ref: { layer: 'bi', call: 0, output } }));
    const x = randomTensor([2, 4, 3], random(4));
    const [concat] = interpret(lowerModel(spec).graph, [x]);
    const [fwd, bwd] = interpret(lowerModel(split).graph, [x]);
    const joined = new Float32Array(concat.data.length);
    for (let row = 0; row < 8; row++) {
      joined.set(fwd.data.subarray(row * 2, row * 2 + 2), row * 4);
      joined.set(bwd.data.subarray(row * 2, row * 2 + 2), row * 4 + 2);
    }
    expect(compareTensors({ dtype: 'f32', shape: concat.shape, data: joined }, concat)).toBeNull();
  });

  it('TimeDistributed over a layer that needs one step at a time (Conv2D)', () => {
    checkAgainstTfjs({
      inputShapes: [[3, 5, 4, 2]],
      build: ([x]) => sym(tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 3, kernelSize: 2, name: 'conv' }), name: 'td' }).apply(x)),
    });
  });
});
