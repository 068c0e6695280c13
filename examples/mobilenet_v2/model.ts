/**
 * MobileNetV2 (alpha 1.0, 1000 classes, softmax) written with tfc's DSL, with
 * the layer structure and names of Keras applications' MobileNetV2, so
 * `model.loadWeights(...)` fills in weights saved from Keras by layer name.
 *
 * The stem pads with ZeroPadding2D (`Conv1_pad`, what Keras' `correct_pad`
 * computes) before a valid stride-2 convolution, as Keras 2's version does;
 * Keras 3 uses one `same` convolution instead, which computes the same thing
 * and has the same weights.
 *
 * In a project that depends on tfc, import from 'tfc-compiler/dsl' instead.
 */
import { input, layers, model, type Model, type SymbolicTensor } from '../../compiler/frontend/dsl/index.js';

/** Channels rounded to a multiple of 8, never down by more than 10% (Keras' `_make_divisible`). */
function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/** Padding that makes a valid stride-2 k x k convolution match TF's `same` one ((0,1) on even sizes). */
function correctPad(x: SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [, h, w] = x.type.shape as number[];
  const half = Math.floor(kernel / 2);
  return [
    [half - (1 - (h % 2)), half],
    [half - (1 - (w % 2)), half],
  ];
}

function batchNorm(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name }).apply(x);
}

function relu6(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.reLU({ maxValue: 6, name }).apply(x);
}

function channelsOf(x: SymbolicTensor): number {
  const shape = x.type.shape;
  return shape[shape.length - 1] as number;
}

/** The inverted residual block: 1x1 expand, 3x3 depthwise, 1x1 linear project, add when shapes allow. */
function invertedResBlock(inputs: SymbolicTensor, expansion: number, stride: 1 | 2, alpha: number, filters: number, blockId: number): SymbolicTensor {
  const inChannels = channelsOf(inputs);
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha));
  let x = inputs;
  let prefix = `block_${blockId}_`;
  if (blockId > 0) {
    x = layers.conv2d({ filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}expand` }).apply(x);
    x = batchNorm(x, `${prefix}expand_BN`);
    x = relu6(x, `${prefix}expand_relu`);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = layers.zeroPadding2d({ padding: correctPad(x, 3), name: `${prefix}pad` }).apply(x);
  x = layers
    .depthwiseConv2d({ kernelSize: 3, strides: stride, useBias: false, padding: stride === 1 ? 'same' : 'valid', name: `${prefix}depthwise` })
    .apply(x);
  x = batchNorm(x, `${prefix}depthwise_BN`);
  x = relu6(x, `${prefix}depthwise_relu`);
  x = layers.conv2d({ filters: pointwiseFilters, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }).apply(x);
  x = batchNorm(x, `${prefix}project_BN`);
  if (inChannels === pointwiseFilters && stride === 1) return layers.add({ name: `${prefix}add` }).apply([inputs, x]);
  return x;
}

/** [expansion, filters, stride] of blocks 0..16. */
const BLOCKS: readonly [number, number, 1 | 2][] = [
  [1, 16, 1],
  [6, 24, 2],
  [6, 24, 1],
  [6, 32, 2],
  [6, 32, 1],
  [6, 32, 1],
  [6, 64, 2],
  [6, 64, 1],
  [6, 64, 1],
  [6, 64, 1],
  [6, 96, 1],
  [6, 96, 1],
  [6, 96, 1],
  [6, 160, 2],
  [6, 160, 1],
  [6, 160, 1],
  [6, 320, 1],
];

export interface MobileNetV2Options {
  /** Square input size (Keras' pretrained sizes: 96, 128, 160, 192, 224). */
  inputSize?: number;
  alpha?: number;
  classes?: number;
}

/** Keras' `MobileNetV2(include_top=True, weights=None)` for the given input size and width. */
export function mobileNetV2(options: MobileNetV2Options = {}): Model {
  const size = options.inputSize ?? 224;
  const alpha = options.alpha ?? 1;
  const classes = options.classes ?? 1000;
  const image = input({ shape: [size, size, 3], name: 'input_1' });
  let x = layers.zeroPadding2d({ padding: correctPad(image, 3), name: 'Conv1_pad' }).apply(image);
  x = layers.conv2d({ filters: makeDivisible(32 * alpha), kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'Conv1' }).apply(x);
  x = batchNorm(x, 'bn_Conv1');
  x = relu6(x, 'Conv1_relu');
  BLOCKS.forEach(([expansion, filters, stride], blockId) => {
    x = invertedResBlock(x, expansion, stride, alpha, filters, blockId);
  });
  // No width multiplier on the last convolution below alpha 1, as in the paper.
  const lastFilters = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = layers.conv2d({ filters: lastFilters, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x);
  x = batchNorm(x, 'Conv_1_bn');
  x = relu6(x, 'out_relu');
  x = layers.globalAveragePooling2d().apply(x);
  x = layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }).apply(x);
  const alphaText = alpha.toFixed(2);
  return model({ inputs: image, outputs: x, name: `mobilenetv2_${alphaText}_${size}` });
}

const mobilenetV2 = mobileNetV2();

export default mobilenetV2;
