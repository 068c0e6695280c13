/**
 * Generated from each op's attribute schema by scripts/update-op-types.ts;
 * do not edit (test/ir/op_types.test.ts fails when it is out of date).
 * `OP` names every op; `OpAttrs[op]` is the type of a node's complete
 * attributes, as the parser and the builder leave them.
 */
import type { DType } from './types.js';

export const OP = {
  abs: 'abs',
  add: 'add',
  argmax: 'argmax',
  avg_pool2d: 'avg_pool2d',
  batch_norm: 'batch_norm',
  broadcast_to: 'broadcast_to',
  cast: 'cast',
  ceil: 'ceil',
  clip: 'clip',
  concat: 'concat',
  const: 'const',
  conv1d: 'conv1d',
  conv2d: 'conv2d',
  conv2d_transpose: 'conv2d_transpose',
  depthwise_conv2d: 'depthwise_conv2d',
  div: 'div',
  dropout: 'dropout',
  elu: 'elu',
  equal: 'equal',
  erf: 'erf',
  exp: 'exp',
  expand_dims: 'expand_dims',
  fill: 'fill',
  floor: 'floor',
  fused: 'fused',
  gather: 'gather',
  gelu: 'gelu',
  greater: 'greater',
  greater_equal: 'greater_equal',
  hard_sigmoid: 'hard_sigmoid',
  identity: 'identity',
  layer_norm: 'layer_norm',
  leaky_relu: 'leaky_relu',
  less: 'less',
  less_equal: 'less_equal',
  log: 'log',
  log_sigmoid: 'log_sigmoid',
  log_softmax: 'log_softmax',
  logical_and: 'logical_and',
  logical_not: 'logical_not',
  logical_or: 'logical_or',
  matmul: 'matmul',
  max_pool2d: 'max_pool2d',
  maximum: 'maximum',
  minimum: 'minimum',
  mish: 'mish',
  mul: 'mul',
  neg: 'neg',
  not_equal: 'not_equal',
  pad: 'pad',
  pow: 'pow',
  reduce_max: 'reduce_max',
  reduce_mean: 'reduce_mean',
  reduce_min: 'reduce_min',
  reduce_prod: 'reduce_prod',
  reduce_sum: 'reduce_sum',
  relu: 'relu',
  relu6: 'relu6',
  reshape: 'reshape',
  resize_bilinear: 'resize_bilinear',
  resize_nearest: 'resize_nearest',
  reverse: 'reverse',
  round: 'round',
  rsqrt: 'rsqrt',
  scale_shift: 'scale_shift',
  scan: 'scan',
  select: 'select',
  selu: 'selu',
  sigmoid: 'sigmoid',
  sign: 'sign',
  slice: 'slice',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  sqrt: 'sqrt',
  square: 'square',
  squeeze: 'squeeze',
  sub: 'sub',
  swish: 'swish',
  tanh: 'tanh',
  tile: 'tile',
  transpose: 'transpose',
} as const;

export type OpName = (typeof OP)[keyof typeof OP];

export interface OpAttrs {
  abs: Record<never, never>;
  add: Record<never, never>;
  argmax: {
    readonly axis: number;
  };
  avg_pool2d: {
    readonly pool: readonly number[];
    readonly strides: readonly number[];
    readonly padding: 'valid' | 'same' | 'explicit';
    readonly pads: readonly (readonly number[])[];
  };
  batch_norm: {
    readonly epsilon: number;
    readonly axis: number;
  };
  broadcast_to: {
    readonly shape: readonly (number | 'N')[];
  };
  cast: {
    readonly to: DType;
  };
  ceil: Record<never, never>;
  clip: {
    readonly min: number;
    readonly max: number;
  };
  concat: {
    readonly axis: number;
  };
  const: {
    readonly ref: string;
    readonly dtype: DType;
    readonly shape: readonly number[];
  };
  conv1d: {
    readonly stride: number;
    readonly dilation: number;
    readonly padding: 'valid' | 'same' | 'causal' | 'explicit';
    readonly pads: readonly number[];
  };
  conv2d: {
    readonly strides: readonly number[];
    readonly dilations: readonly number[];
    readonly padding: 'valid' | 'same' | 'explicit';
    readonly pads: readonly (readonly number[])[];
    readonly input_dilations: readonly number[];
  };
  conv2d_transpose: {
    readonly strides: readonly number[];
    readonly padding: 'valid' | 'same';
  };
  depthwise_conv2d: {
    readonly strides: readonly number[];
    readonly dilations: readonly number[];
    readonly padding: 'valid' | 'same' | 'explicit';
    readonly pads: readonly (readonly number[])[];
  };
  div: Record<never, never>;
  dropout: {
    readonly rate: number;
  };
  elu: {
    readonly alpha: number;
  };
  equal: Record<never, never>;
  erf: Record<never, never>;
  exp: Record<never, never>;
  expand_dims: {
    readonly axis: number;
  };
  fill: {
    readonly shape: readonly (number | 'N')[];
    readonly value: number;
    readonly dtype: DType;
  };
  floor: Record<never, never>;
  fused: {
    readonly name: string;
  };
  gather: {
    readonly axis: number;
  };
  gelu: {
    readonly approximate: boolean;
  };
  greater: Record<never, never>;
  greater_equal: Record<never, never>;
  hard_sigmoid: Record<never, never>;
  identity: Record<never, never>;
  layer_norm: {
    readonly axes: readonly number[];
    readonly epsilon: number;
  };
  leaky_relu: {
    readonly alpha: number;
  };
  less: Record<never, never>;
  less_equal: Record<never, never>;
  log: Record<never, never>;
  log_sigmoid: Record<never, never>;
  log_softmax: {
    readonly axis: number;
  };
  logical_and: Record<never, never>;
  logical_not: Record<never, never>;
  logical_or: Record<never, never>;
  matmul: {
    readonly transpose_a: boolean;
    readonly transpose_b: boolean;
  };
  max_pool2d: {
    readonly pool: readonly number[];
    readonly strides: readonly number[];
    readonly padding: 'valid' | 'same' | 'explicit';
    readonly pads: readonly (readonly number[])[];
  };
  maximum: Record<never, never>;
  minimum: Record<never, never>;
  mish: Record<never, never>;
  mul: Record<never, never>;
  neg: Record<never, never>;
  not_equal: Record<never, never>;
  pad: {
    readonly pads: readonly (readonly number[])[];
    readonly value: number;
  };
  pow: Record<never, never>;
  reduce_max: {
    readonly axes: readonly number[];
    readonly keepdims: boolean;
  };
  reduce_mean: {
    readonly axes: readonly number[];
    readonly keepdims: boolean;
  };
  reduce_min: {
    readonly axes: readonly number[];
    readonly keepdims: boolean;
  };
  reduce_prod: {
    readonly axes: readonly number[];
    readonly keepdims: boolean;
  };
  reduce_sum: {
    readonly axes: readonly number[];
    readonly keepdims: boolean;
  };
  relu: Record<never, never>;
  relu6: Record<never, never>;
  reshape: {
    readonly shape: readonly (number | 'N')[];
  };
  resize_bilinear: {
    readonly size: readonly number[];
    readonly align_corners: boolean;
    readonly half_pixel_centers: boolean;
  };
  resize_nearest: {
    readonly size: readonly number[];
    readonly align_corners: boolean;
    readonly half_pixel_centers: boolean;
  };
  reverse: {
    readonly axes: readonly number[];
  };
  round: Record<never, never>;
  rsqrt: Record<never, never>;
  scale_shift: {
    readonly scale: number;
    readonly shift: number;
  };
  scan: {
    readonly num_states: number;
    readonly num_sequences: number;
    readonly reverse: boolean;
  };
  select: Record<never, never>;
  selu: Record<never, never>;
  sigmoid: Record<never, never>;
  sign: Record<never, never>;
  slice: {
    readonly begin: readonly number[];
    readonly end: readonly number[];
  };
  softmax: {
    readonly axis: number;
  };
  softplus: Record<never, never>;
  softsign: Record<never, never>;
  sqrt: Record<never, never>;
  square: Record<never, never>;
  squeeze: {
    readonly axes: readonly number[];
  };
  sub: Record<never, never>;
  swish: Record<never, never>;
  tanh: Record<never, never>;
  tile: {
    readonly reps: readonly number[];
  };
  transpose: {
    readonly perm: readonly number[];
  };
}
