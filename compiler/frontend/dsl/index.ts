/**
 * tfc's Keras-style TypeScript DSL (`tfc-compiler/dsl`): build a model from layers,
 * get a ModelSpec the compiler lowers, print Keras' summary.
 *
 *   import { sequential, layers } from 'tfc-compiler/dsl';
 *   export default sequential([
 *     layers.dense({ units: 32, activation: 'relu', inputShape: [16] }),
 *     layers.dense({ units: 10, activation: 'softmax' }),
 *   ]);
 */
import '../../ops/index.js';
import '../../layers/index.js';

export { layers } from './layers.js';
export type * from './layers.js';
export { Layer } from './layer.js';
export { SymbolicTensor } from './symbolic.js';
export { input, model, sequential, isTracedModel, Model, type TracedModel, type InputOptions } from './model.js';
export type { InitializerOption, LayerOptions, DTypeName } from './options.js';
export { ModelBuildError } from './errors.js';
export { initializeWeight, InitializerError } from '../initializers.js';
export { summarizeModel } from '../summary.js';
