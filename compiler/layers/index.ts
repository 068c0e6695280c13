/** Registers every Keras layer tfc supports; import this once before parsing or lowering models. */
import './core.js';
import './conv.js';
import './pooling.js';
import './normalization.js';
import './reshaping.js';
import './merge.js';
import './advanced_activations.js';
import './recurrent.js';
import './cudnn_recurrent.js';
import './wrappers.js';

export { LayerError } from './layer.js';
export type { LayerDef, LayerInstance, LayerCall, ModelSpec, TensorRef, WeightSpec, RawConfig } from './layer.js';
export { getLayer, layerClasses, registerLayer } from './registry.js';
export { activationNames } from './activations.js';
