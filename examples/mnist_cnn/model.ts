/**
 * The classic MNIST CNN written with tfc's DSL: the architecture of the
 * conformance case `mnist_cnn`, with the same (default) layer names, so
 * `model.loadWeights('.../mnist_cnn/model.json')` fills in its trained weights.
 *
 * In a project that depends on tfc, import from 'tfc-compiler/dsl' instead.
 */
import { layers, sequential } from '../../compiler/frontend/dsl/index.js';

const mnistCnn = sequential(
  [
    layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 64, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
  { name: 'mnist_cnn' },
);

export default mnistCnn;
