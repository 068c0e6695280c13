/**
 * The MNIST CNN of model.ts with the weights saved by TF.js in the conformance
 * case `test/conformance/keras/mnist_cnn`, loaded by layer name: a model module
 * whose default export `tfc build` compiles with those weights (model.ts alone
 * has freshly initialized ones). The path is resolved from this file, so it
 * works from any working directory.
 */
import { fileURLToPath } from 'node:url';
import mnistCnn from './model.js';

await mnistCnn.loadWeights(fileURLToPath(new URL('../../test/conformance/keras/mnist_cnn/model.json', import.meta.url)));

export default mnistCnn;
