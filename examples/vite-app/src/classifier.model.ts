/**
 * The model the page imports as `./classifier.model.ts?tfc`: a small convnet
 * for 28x28 grayscale digits, written with tfc's DSL. vite-plugin-tfc runs
 * this module at build time (in Node, never in the browser) and compiles the
 * model it exports; the page gets only the compiled WebAssembly, WGSL and weights.
 *
 * Its weights are those of the conformance case test/conformance/keras/mnist_cnn
 * (same architecture, same layer names), loaded by layer name. They are
 * deterministic pseudo-random values, not weights trained on MNIST: the page
 * shows the pipeline working, not a meaningful digit. Point loadWeights at
 * your own trained model (model.json, .keras or .h5) for real predictions.
 */
import { fileURLToPath } from 'node:url';
import { layers, sequential } from 'tfc-compiler/dsl';

const classifier = sequential(
  [
    layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 64, activation: 'relu' }),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
  { name: 'digit_classifier' },
);

await classifier.loadWeights(fileURLToPath(new URL('../../../test/conformance/keras/mnist_cnn/model.json', import.meta.url)));

export default classifier;
