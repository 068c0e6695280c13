/**
 * conv2d, conv1d and conv2d_transpose (as the conv2d the build lowers them to)
 * on the WebGPU target as implicit GEMMs,
 * alone and as anchors of fused epilogue kernels made by the optimization
 * pipeline, against the reference interpreter at batch 1 and 3 on odd sizes,
 * paddings (valid, same, explicit, causal), strides and dilations. Few
 * output pixels per batch item take the GEMM's skinny tile: checked at batch
 * 1, 3 and 17.
 */
import { expect, it } from 'vitest';
import type { Attrs } from '../../../compiler/ir/attrs.js';
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import type { Shape } from '../../../compiler/ir/types.js';
import { lowerForTargets } from '../../../compiler/passes/lowering.js';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { compileWebGpu, webgpuSupports } from '../../../targets/webgpu/index.js';
import { checkOnGpu, describeGpu, randomValues } from './check.js';

interface ConvCase {
  op: 'conv2d' | 'conv1d' | 'conv2d_transpose';
  /** Input shape without the batch axis. */
  x: number[];
  w: number[];
  attrs: Attrs;
}

const weight = (shape: number[], seed: number): ReturnType<typeof f32> =>
  f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), seed, 0.5));

/** x -> conv; with `epilogue`, also + bias, relu, + a residual input of the result's shape. */
function convGraph(c: ConvCase, epilogue: boolean): Graph {
  const b = new GraphBuilder('g');
  const x = b.input('x', { dtype: 'f32', shape: ['N', ...c.x] });
  let y = b.op(c.op, [x, b.constant('w', weight(c.w, 11))], c.attrs);
  if (epilogue) {
    const shape = y.type.shape;
    const f = shape[shape.length - 1] as number;
    const residual = b.input('r', { dtype: 'f32', shape: [...shape] as Shape });
    y = b.op('add', [y, b.constant('bias', weight([f], 12))]);
    y = b.op('relu', [y]);
    y = b.op('add', [y, residual]);
  }
  b.output('y', y);
  return b.graph;
}

const CASES: [string, ConvCase][] = [
  ['conv2d 1x1', { op: 'conv2d', x: [5, 7, 3], w: [1, 1, 3, 6], attrs: {} }],
  ['conv2d 1x1 stride 2', { op: 'conv2d', x: [5, 7, 3], w: [1, 1, 3, 5], attrs: { strides: [2, 2] } }],
  ['conv2d 3x3 valid', { op: 'conv2d', x: [7, 9, 3], w: [3, 3, 3, 5], attrs: {} }],
  ['conv2d 3x3 same', { op: 'conv2d', x: [6, 5, 2], w: [3, 3, 2, 10], attrs: { padding: 'same' } }],
  ['conv2d 3x3 same stride 2', { op: 'conv2d', x: [9, 10, 3], w: [3, 3, 3, 4], attrs: { padding: 'same', strides: [2, 2] } }],
  ['conv2d 5x3 same strides [2,1] dilations [1,2]', { op: 'conv2d', x: [8, 9, 1], w: [5, 3, 1, 7], attrs: { padding: 'same', strides: [2, 1], dilations: [1, 2] } }],
  ['conv2d 3x3 dilation 2 valid', { op: 'conv2d', x: [9, 8, 4], w: [3, 3, 4, 9], attrs: { dilations: [2, 2] } }],
  ['conv2d explicit pads', { op: 'conv2d', x: [6, 7, 2], w: [3, 2, 2, 3], attrs: { padding: 'explicit', pads: [[1, 2], [0, 3]] } }],
  ['conv2d kernel wider than the input (same)', { op: 'conv2d', x: [3, 2, 2], w: [5, 5, 2, 3], attrs: { padding: 'same' } }],
  ['conv2d several tiles (rows, columns and depth)', { op: 'conv2d', x: [12, 11, 8], w: [3, 3, 8, 70], attrs: { padding: 'same' } }],
  ['conv1d valid', { op: 'conv1d', x: [11, 3], w: [3, 3, 5], attrs: {} }],
  ['conv1d 1x1', { op: 'conv1d', x: [11, 6], w: [1, 6, 3], attrs: {} }],
  ['conv1d same stride 2', { op: 'conv1d', x: [12, 2], w: [4, 2, 6], attrs: { padding: 'same', stride: 2 } }],
  ['conv1d causal dilation 2', { op: 'conv1d', x: [10, 3], w: [3, 3, 8], attrs: { padding: 'causal', dilation: 2 } }],
  ['conv1d explicit pads', { op: 'conv1d', x: [7, 1], w: [2, 1, 3], attrs: { padding: 'explicit', pads: [2, 1] } }],
  ['conv2d_transpose valid stride 2', { op: 'conv2d_transpose', x: [4, 5, 3], w: [3, 3, 6, 3], attrs: { strides: [2, 2] } }],
  ['conv2d_transpose same stride 2', { op: 'conv2d_transpose', x: [5, 4, 3], w: [3, 3, 6, 3], attrs: { strides: [2, 2], padding: 'same' } }],
  ['conv2d_transpose same kernel < stride', { op: 'conv2d_transpose', x: [3, 4, 2], w: [2, 2, 5, 2], attrs: { strides: [3, 3], padding: 'same' } }],
  ['conv2d_transpose valid strides [1,2] kernel 2x3', { op: 'conv2d_transpose', x: [4, 3, 5], w: [2, 3, 4, 5], attrs: { strides: [1, 2] } }],
  ['conv2d_transpose same stride 1', { op: 'conv2d_transpose', x: [5, 6, 4], w: [3, 3, 7, 4], attrs: { padding: 'same' } }],
];

const FUSED = [
  'conv2d 1x1',
  'conv2d 3x3 same stride 2',
  'conv2d explicit pads',
  'conv2d several tiles (rows, columns and depth)',
  'conv1d causal dilation 2',
  'conv2d_transpose valid stride 2',
  'conv2d_transpose same stride 2',
];

describeGpu('webgpu convolutions', () => {
  it.each(CASES)('%s', async (_label, c) => {
    const g = convGraph(c, false);
    lowerForTargets(g);
    expect(webgpuSupports(g)).toEqual([]);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

describeGpu('webgpu fused convolution epilogues (bias, relu, residual)', () => {
  it.each(CASES.filter(([label]) => FUSED.includes(label)))('%s', async (_label, c) => {
    const g = convGraph(c, true);
    optimizeGraph(g, {});
    expect(g.nodes.filter((n) => n.op === 'fused').map((n) => n.body?.nodes[0].op)).toEqual(['conv2d']);
    expect(webgpuSupports(g)).toEqual([]);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

describeGpu('webgpu convolution with a filter computed at run time', () => {
  it('reads the filter from the arena', async () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 6, 5, 2] });
    const w = b.input('w', { dtype: 'f32', shape: [3, 3, 2, 4] });
    b.output('y', b.op('conv2d', [x, w], { padding: 'same', strides: [2, 1] }));
    expect(webgpuSupports(b.graph)).toEqual([]);
    expect(await checkOnGpu(b.graph)).toEqual([]);
  });

  it('conv2d_transpose: the lowering flips the run-time filter with transpose and reverse kernels', async () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 4, 3, 2] });
    const w = b.input('w', { dtype: 'f32', shape: [3, 2, 5, 2] });
    b.output('y', b.op('conv2d_transpose', [x, w], { padding: 'same', strides: [2, 3] }));
    lowerForTargets(b.graph);
    expect(b.graph.nodes.map((n) => n.op)).toEqual(['transpose', 'reverse', 'conv2d']);
    expect(webgpuSupports(b.graph)).toEqual([]);
    expect(await checkOnGpu(b.graph)).toEqual([]);
  });
});

const FEW_PIXELS: [string, ConvCase][] = [
  ['conv2d 3x3 valid on 3x3: one pixel (K = 81)', { op: 'conv2d', x: [3, 3, 9], w: [3, 3, 9, 7], attrs: {} }],
  ['conv2d 3x3 same stride 2 on 4x4: four pixels, 67 filters', { op: 'conv2d', x: [4, 4, 9], w: [3, 3, 9, 67], attrs: { padding: 'same', strides: [2, 2] } }],
  ['conv1d valid: three positions', { op: 'conv1d', x: [5, 13], w: [3, 13, 5], attrs: {} }],
];

describeGpu('webgpu convolutions with few output pixels (the skinny GEMM tile)', () => {
  it.each(FEW_PIXELS)('%s', async (_label, c) => {
    const g = convGraph(c, false);
    lowerForTargets(g);
    expect(compileWebGpu(g).wgsl).toContain('gemm_slab_a');
    expect(await checkOnGpu(g, { batches: [1, 3, 17] })).toEqual([]);
  });

  it.each(FEW_PIXELS)('fused epilogue, %s', async (_label, c) => {
    const g = convGraph(c, true);
    optimizeGraph(g, {});
    expect(g.nodes.filter((n) => n.op === 'fused').map((n) => n.body?.nodes[0].op)).toEqual(['conv2d']);
    expect(compileWebGpu(g).wgsl).toContain('gemm_slab_a');
    expect(await checkOnGpu(g, { batches: [1, 3, 17] })).toEqual([]);
  });
});
