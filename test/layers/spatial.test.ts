import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpret, type Tensor } from '../../compiler/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { getLayer, type ModelSpec } from '../../compiler/layers/index.js';
import { compareTensors } from '../helpers/tolerance.js';
import { chainSpec, checkAgainstTfjs, random, randomTensor } from './harness.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Sym = tf.SymbolicTensor;
const sym = (x: Sym | Sym[] | tf.Tensor | tf.Tensor[]) => x as Sym;

describe('convolution layers against TF.js', () => {
  it('Conv2D same/valid, strides, dilation, no bias', () => {
    checkAgainstTfjs({
      inputShapes: [[9, 8, 3]],
      build: ([x]) => [
        sym(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c_same' }).apply(x)),
        sym(tf.layers.conv2d({ filters: 2, kernelSize: [2, 3], strides: [2, 1], padding: 'valid', name: 'c_valid' }).apply(x)),
        sym(tf.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', useBias: false, name: 'c_s2' }).apply(x)),
        sym(tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'c_dil' }).apply(x)),
      ],
    });
  });

  it('Conv1D same, valid with stride, dilation', () => {
    checkAgainstTfjs({
      inputShapes: [[11, 3]],
      build: ([x]) => [
        sym(tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(x)),
        sym(tf.layers.conv1d({ filters: 2, kernelSize: 2, strides: 2, padding: 'valid', useBias: false, name: 'c2' }).apply(x)),
        sym(tf.layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: 2, activation: 'tanh', name: 'c3' }).apply(x)),
      ],
    });
  });

  it('DepthwiseConv2D and SeparableConv2D with depth multipliers', () => {
    checkAgainstTfjs({
      inputShapes: [[7, 8, 3]],
      build: ([x]) => [
        sym(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }).apply(x)),
        sym(tf.layers.separableConv2d({ filters: 4, kernelSize: [3, 2], depthMultiplier: 2, strides: 2, padding: 'same', name: 'sep' }).apply(x)),
      ],
      // TF.js leaves depth_multiplier out of SeparableConv2D configs; Keras writes it.
      editConfig: (cls, c) => (cls === 'SeparableConv2D' ? { ...c, depth_multiplier: 2 } : c),
    });
  });

  it('Conv2DTranspose valid and same with strides', () => {
    checkAgainstTfjs({
      inputShapes: [[4, 5, 3]],
      build: ([x]) => [
        sym(tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', name: 't_same' }).apply(x)),
        sym(tf.layers.conv2dTranspose({ filters: 3, kernelSize: [2, 3], strides: [1, 2], padding: 'valid', useBias: false, name: 't_valid' }).apply(x)),
      ],
    });
  });

  it('Conv1D causal equals left zero padding then valid', () => {
    const rand = random(3);
    const kernel = randomTensor([3, 2, 4], rand);
    const bias = randomTensor([4], rand);
    const x = randomTensor([2, 6, 2], rand);
    const spec = chainSpec(['N', 6, 2], [
      { name: 'causal', className: 'Conv1D', config: { filters: 4, kernel_size: 3, dilation_rate: 2, padding: 'causal' }, weights: { kernel, bias } },
    ]);
    const got = interpret(lowerModel(spec).graph, [x])[0];
    const padded = tf.pad(tf.tensor3d(Array.from(x.data), x.shape as [number, number, number]), [[0, 0], [4, 0], [0, 0]]);
    const want = tf.add(tf.conv1d(padded, tf.tensor3d(Array.from(kernel.data), [3, 2, 4]), 1, 'valid', 'NWC', 2), tf.tensor1d(Array.from(bias.data)));
    const expected: Tensor = { dtype: 'f32', shape: want.shape, data: Float32Array.from(want.dataSync()) };
    expect(compareTensors(got, expected)).toBeNull();
  });
});

describe('pooling layers against TF.js', () => {
  it('2-D max/average pooling (same/valid, strides) and global pooling', () => {
    checkAgainstTfjs({
      inputShapes: [[7, 9, 2]],
      build: ([x]) => [
        sym(tf.layers.maxPooling2d({ poolSize: 2, name: 'mp' }).apply(x)),
        sym(tf.layers.maxPooling2d({ poolSize: [3, 2], strides: [2, 2], padding: 'same', name: 'mp_same' }).apply(x)),
        sym(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap_same' }).apply(x)),
        sym(tf.layers.averagePooling2d({ poolSize: [2, 3], strides: 1, name: 'ap' }).apply(x)),
        sym(tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x)),
        sym(tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(x)),
      ],
    });
  });

  it('1-D pooling and global 1-D pooling', () => {
    checkAgainstTfjs({
      inputShapes: [[9, 3]],
      build: ([x]) => [
        sym(tf.layers.maxPooling1d({ poolSize: 2, name: 'mp1' }).apply(x)),
        sym(tf.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap1' }).apply(x)),
        sym(tf.layers.globalAveragePooling1d({ name: 'gap1' }).apply(x)),
        sym(tf.layers.globalMaxPooling1d({ name: 'gmp1' }).apply(x)),
      ],
    });
  });

  it('global pooling keepdims (Keras 3 option)', () => {
    const x = randomTensor([2, 3, 4, 5], random(5));
    const spec = chainSpec(['N', 3, 4, 5], [{ name: 'g', className: 'GlobalAveragePooling2D', config: { keepdims: true } }]);
    const got = interpret(lowerModel(spec).graph, [x])[0];
    const want = tf.mean(tf.tensor(Array.from(x.data), x.shape), [1, 2], true);
    expect(compareTensors(got, { dtype: 'f32', shape: want.shape, data: Float32Array.from(want.dataSync()) })).toBeNull();
  });
});

describe('normalization layers against TF.js', () => {
  it('BatchNormalization after Conv2D and Dense, center/scale off, epsilon', () => {
    checkAgainstTfjs({
      inputShapes: [[5, 4, 3]],
      build: ([x]) => {
        const a = sym(tf.layers.batchNormalization({ name: 'bn1' }).apply(x));
        const b = sym(tf.layers.batchNormalization({ center: false, epsilon: 0.01, name: 'bn2' }).apply(a));
        const c = sym(tf.layers.batchNormalization({ scale: false, name: 'bn3' }).apply(b));
        const f = sym(tf.layers.flatten({ name: 'flat' }).apply(c));
        return sym(tf.layers.batchNormalization({ axis: 1, name: 'bn4' }).apply(f));
      },
    });
  });

  it('BatchNormalization axis given as a one-element list (Keras 3)', () => {
    checkAgainstTfjs({
      inputShapes: [[6]],
      build: ([x]) => sym(tf.layers.batchNormalization({ name: 'bn' }).apply(x)),
      editConfig: (_cls, c) => ({ ...c, axis: [1] }),
    });
  });

  it('LayerNormalization over the last axis and over two axes', () => {
    checkAgainstTfjs({
      inputShapes: [[4, 6]],
      build: ([x]) => [
        sym(tf.layers.layerNormalization({ name: 'ln_last' }).apply(x)),
        sym(tf.layers.layerNormalization({ axis: [1, 2], epsilon: 1e-5, name: 'ln_two' }).apply(x)),
        sym(tf.layers.layerNormalization({ center: false, name: 'ln_nocenter' }).apply(x)),
        sym(tf.layers.layerNormalization({ scale: false, name: 'ln_noscale' }).apply(x)),
      ],
    });
  });
});

describe('reshaping layers against TF.js', () => {
  it('ZeroPadding2D, Cropping2D, UpSampling2D (nearest)', () => {
    checkAgainstTfjs({
      inputShapes: [[4, 5, 2]],
      build: ([x]) => {
        const p = sym(tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]], name: 'pad' }).apply(x));
        const c = sym(tf.layers.cropping2D({ cropping: [[1, 0], [2, 1]], name: 'crop' }).apply(p));
        return [c, sym(tf.layers.upSampling2d({ size: [2, 3], name: 'up' }).apply(c)), sym(tf.layers.zeroPadding2d({ padding: 1, name: 'pad1' }).apply(x))];
      },
    });
  });

  it('UpSampling2D bilinear uses half-pixel centres', () => {
    const x = randomTensor([1, 3, 4, 2], random(9));
    const spec = chainSpec(['N', 3, 4, 2], [{ name: 'up', className: 'UpSampling2D', config: { size: [2, 2], interpolation: 'bilinear' } }]);
    const got = interpret(lowerModel(spec).graph, [x])[0];
    const want = tf.image.resizeBilinear(tf.tensor4d(Array.from(x.data), [1, 3, 4, 2]), [6, 8], false, true);
    expect(compareTensors(got, { dtype: 'f32', shape: want.shape, data: Float32Array.from(want.dataSync()) })).toBeNull();
  });
});

describe('merge layers against TF.js', () => {
  it('Add, Multiply, Average (three inputs), Maximum, Minimum, Concatenate, Dot', () => {
    checkAgainstTfjs({
      inputShapes: [[4, 6], [4, 6]],
      build: ([a, b]) => {
        const c = sym(tf.layers.dense({ units: 6, activation: 'tanh', name: 'dense' }).apply(a));
        const square = sym(tf.layers.dense({ units: 4, name: 'dense_square' }).apply(b));
        return [
          sym(tf.layers.add({ name: 'add' }).apply([a, b, c])),
          sym(tf.layers.multiply({ name: 'mul' }).apply([a, b])),
          sym(tf.layers.average({ name: 'avg' }).apply([a, b, c])),
          sym(tf.layers.maximum({ name: 'max' }).apply([a, b])),
          sym(tf.layers.minimum({ name: 'min' }).apply([a, c])),
          sym(tf.layers.concatenate({ axis: 1, name: 'cat1' }).apply([a, b])),
          sym(tf.layers.concatenate({ name: 'cat_last' }).apply([a, c])),
          sym(tf.layers.dot({ axes: [2, 2], name: 'dot22' }).apply([a, b])),
          sym(tf.layers.dot({ axes: [1, 1], name: 'dot11' }).apply([a, b])),
          sym(tf.layers.dot({ axes: [1, 2], normalize: true, name: 'dot_norm' }).apply([a, square])),
        ];
      },
    });
  });

  it('Dot on rank-2 inputs', () => {
    checkAgainstTfjs({
      inputShapes: [[5], [5]],
      build: ([a, b]) => sym(tf.layers.dot({ axes: 1, name: 'dot' }).apply([a, b])),
    });
  });

  it('Subtract (not in TF.js layers) is inputs[0] - inputs[1]', () => {
    const rand = random(11);
    const x = randomTensor([3, 5], rand);
    const y = randomTensor([3, 5], rand);
    const def = getLayer('Subtract', 'test');
    const spec: ModelSpec = {
      name: 'm',
      kind: 'Functional',
      inputs: [
        { name: 'a', dtype: 'f32', shape: ['N', 5] },
        { name: 'b', dtype: 'f32', shape: ['N', 5] },
      ],
      layers: [{ name: 'sub', className: 'Subtract', def, config: def.parseConfig({ name: 'sub' }, 'test'), rawConfig: {}, weights: new Map() }],
      calls: [{ layer: 'sub', index: 0, inputs: [{ layer: 'a', call: 0, output: 0 }, { layer: 'b', call: 0, output: 0 }] }],
      outputs: [{ name: 'y', ref: { layer: 'sub', call: 0, output: 0 } }],
    };
    const got = interpret(lowerModel(spec).graph, [x, y])[0];
    const want = Float32Array.from(x.data, (v, i) => v - y.data[i]);
    expect(compareTensors(got, { dtype: 'f32', shape: [3, 5], data: want })).toBeNull();
  });
});

describe('advanced activation layers against TF.js', () => {
  it('ReLU (max_value), LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU', () => {
    checkAgainstTfjs({
      inputShapes: [[3, 4]],
      build: ([x]) => [
        sym(tf.layers.reLU({ name: 'relu' }).apply(x)),
        sym(tf.layers.reLU({ maxValue: 0.7, name: 'relu_cap' }).apply(x)),
        sym(tf.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(x)),
        sym(tf.layers.leakyReLU({ alpha: 0.1, name: 'leaky' }).apply(x)),
        sym(tf.layers.prelu({ name: 'prelu' }).apply(x)),
        sym(tf.layers.prelu({ sharedAxes: [1], name: 'prelu_shared' }).apply(x)),
        sym(tf.layers.elu({ name: 'elu' }).apply(x)),
        sym(tf.layers.softmax({ axis: -1, name: 'softmax' }).apply(x)),
        sym(tf.layers.thresholdedReLU({ theta: 0.5, name: 'thr' }).apply(x)),
      ],
    });
  });

  it('LeakyReLU negative_slope (Keras 3) and ReLU threshold / negative_slope', () => {
    const x = randomTensor([2, 8], random(13), 3);
    const run = (className: string, config: Record<string, unknown>): Tensor =>
      interpret(lowerModel(chainSpec(['N', 8], [{ name: 'a', className, config }])).graph, [x])[0];
    const tx = tf.tensor(Array.from(x.data), x.shape);
    const check = (got: Tensor, want: tf.Tensor) =>
      expect(compareTensors(got, { dtype: 'f32', shape: want.shape, data: Float32Array.from(want.dataSync()) })).toBeNull();
    check(run('LeakyReLU', { negative_slope: 0.25 }), tf.leakyRelu(tx, 0.25));
    // Keras: x >= threshold -> min(x, max_value); below -> negative_slope * (x - threshold).
    const want = tf.where(tf.greaterEqual(tx, 0.5), tf.minimum(tx, 2), tf.mul(0.1, tf.sub(tx, 0.5)));
    check(run('ReLU', { threshold: 0.5, negative_slope: 0.1, max_value: 2 }), want);
  });
});
