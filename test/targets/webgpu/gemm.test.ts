/**
 * matmul on the WebGPU target through the tiled GEMM shader, against the
 * reference interpreter at batch 1 and 3: a weight as B (the Dense case) at
 * odd sizes across tile edges, B computed at run time with transposes and
 * batched / broadcast batch axes, and fused epilogues made by the pipeline
 * (bias + relu, residual add). GEMMs with few rows per batch item use the
 * skinny tile: checked at M = 1, 3 and 17 (one, a partial and several row
 * tiles) with K across several staged slabs and columns across column tiles.
 */
import { expect, it } from 'vitest';
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import type { Shape } from '../../../compiler/ir/types.js';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { compileWebGpu, webgpuSupports } from '../../../targets/webgpu/index.js';
import { checkOnGpu, describeGpu, randomValues } from './check.js';

const weight = (shape: number[], seed: number): ReturnType<typeof f32> =>
  f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), seed, 0.5));

/** x [...lead, K] times a [K, F] weight; with `epilogue`, + bias, relu, + a residual input, then tanh. */
function denseGraph(lead: Shape, k: number, f: number, epilogue: boolean): Graph {
  const b = new GraphBuilder('g');
  const x = b.input('x', { dtype: 'f32', shape: [...lead, k] });
  let y = b.op('matmul', [x, b.constant('w', weight([k, f], 5))]);
  if (epilogue) {
    const residual = b.input('r', { dtype: 'f32', shape: [...lead, f] });
    y = b.op('add', [y, b.constant('bias', weight([f], 6))]);
    y = b.op('relu', [y]);
    y = b.op('add', [y, residual]);
  }
  b.output('y', y);
  return b.graph;
}

/** The anchor op of every fused kernel in the optimized graph. */
function fusedAnchors(g: Graph): (string | undefined)[] {
  return g.nodes.filter((n) => n.op === 'fused').map((n) => n.body?.nodes[0].op);
}

describeGpu('webgpu matmul with a weight (Dense)', () => {
  it.each([
    ['1x1x1', ['N'], 1, 1],
    ['5x7x3', ['N', 5], 7, 3],
    ['65x33x70', ['N', 65], 33, 70],
    ['rows = N', ['N'], 40, 17],
    ['static rows, no batch', [9], 20, 130],
    ['narrow: 300x20x10 (tiles of 256x16)', ['N', 300], 20, 10],
    ['narrow: 150x40x30 (tiles of 128x32)', ['N', 150], 40, 30],
  ] as [string, Shape, number, number][])('%s', async (_label, lead, k, f) => {
    const g = denseGraph(lead, k, f, false);
    expect(webgpuSupports(g)).toEqual([]);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it.each([
    ['5x7x3', ['N', 5], 7, 3],
    ['65x33x70', ['N', 65], 33, 70],
  ] as [string, Shape, number, number][])('fused bias + relu + residual epilogue, %s', async (_label, lead, k, f) => {
    const g = denseGraph(lead, k, f, true);
    optimizeGraph(g, {});
    expect(fusedAnchors(g)).toEqual(['matmul']);
    expect(webgpuSupports(g)).toEqual([]);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

/** Whether the compiled graph's GEMM uses the skinny (few-rows) tile. */
const usesSkinnyTile = (g: Graph): boolean => compileWebGpu(g).wgsl.includes('gemm_slab_a');

describeGpu('webgpu matmul with few rows (the skinny tile)', () => {
  it.each([
    ['rows = N, 131 x 300 (two column tiles)', ['N'], 131, 300],
    ['rows = N, 67 x 5', ['N'], 67, 5],
    ['rows = N, 1 x 71', ['N'], 1, 71],
    ['rows = 3N, 65 x 129', ['N', 3], 65, 129],
  ] as [string, Shape, number, number][])('fused bias + relu + residual epilogue, %s, at M = 1, 3, 17 per row of N', async (_label, lead, k, f) => {
    const g = denseGraph(lead, k, f, true);
    optimizeGraph(g, {});
    expect(fusedAnchors(g)).toEqual(['matmul']);
    expect(usesSkinnyTile(g)).toBe(true);
    expect(await checkOnGpu(g, { batches: [1, 3, 17] })).toEqual([]);
  });

  it('static M = 3 with an epilogue', async () => {
    const g = denseGraph([3], 97, 33, true);
    optimizeGraph(g, {});
    expect(usesSkinnyTile(g)).toBe(true);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('batched [N,3,70] x [N,70,9]: one skinny tile per group', async () => {
    const g = parseGraph(`graph @g(%a: f32[N,3,70], %b: f32[N,70,9]) -> (y: f32[N,3,9]) {
  %1 = matmul(%a, %b) {transpose_a=false, transpose_b=false} : f32[N,3,9]
  return %1
}`);
    expect(usesSkinnyTile(g)).toBe(true);
    expect(await checkOnGpu(g, { batches: [1, 3, 17] })).toEqual([]);
  });

  it('keeps the tall tiles when rows per batch item are many', () => {
    expect(usesSkinnyTile(denseGraph(['N', 17], 8, 8, false))).toBe(false);
  });
});

describeGpu('webgpu matmul with B computed at run time', () => {
  it.each([
    ['[N,4,6]', '[N,6,5]', false, false, '[N,4,5]'],
    ['[N,6,4]', '[N,6,3]', true, false, '[N,4,3]'],
    ['[N,4,6]', '[N,7,6]', false, true, '[N,4,7]'],
    ['[N,6,4]', '[N,5,6]', true, true, '[N,4,5]'],
    ['[N,2,3,5]', '[5,6]', false, false, '[N,2,3,6]'],
    ['[N,5,3]', '[5,6]', true, false, '[N,3,6]'],
    ['[3,5]', '[N,2,5,9]', false, false, '[N,2,3,9]'],
    ['[N,2,1,3,4]', '[1,2,4,2]', false, false, '[N,2,2,3,2]'],
    ['[N,5]', '[5,3]', false, false, '[N,3]'],
    ['[N,70,9]', '[N,9,66]', false, false, '[N,70,66]'],
    ['[2,N,3]', '[2,3,4]', false, false, '[2,N,4]'],
  ])('%s x %s (transpose_a=%s, transpose_b=%s)', async (a, b, ta, tb, out) => {
    const g = parseGraph(`graph @g(%a: f32${a}, %b: f32${b}) -> (y: f32${out}) {
  %1 = matmul(%a, %b) {transpose_a=${ta}, transpose_b=${tb}} : f32${out}
  return %1
}`);
    expect(webgpuSupports(g)).toEqual([]);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('fuses a bias + relu epilogue onto a batched matmul of two inputs', async () => {
    const g = parseGraph(`graph @g(%a: f32[N,3,8], %b: f32[N,8,5]) -> (y: f32[N,3,5]) {
  %0 = const() {ref="bias", dtype="f32", shape=[5]} : f32[5]
  %1 = matmul(%a, %b) {transpose_a=false, transpose_b=false} : f32[N,3,5]
  %2 = add(%1, %0) : f32[N,3,5]
  %3 = relu(%2) : f32[N,3,5]
  return %3
}
weights {
  "bias": f32[5] = [0.5,-1,0.25,2,-0.75]
}`);
    optimizeGraph(g, {});
    expect(fusedAnchors(g)).toEqual(['matmul']);
    expect(webgpuSupports(g)).toEqual([]);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

it('refuses an i32 matmul, naming the op', () => {
  const g = parseGraph(`graph @g(%a: i32[N,3], %b: i32[3,2]) -> (y: i32[N,2]) {
  %1 = matmul(%a, %b) {transpose_a=false, transpose_b=false} : i32[N,2]
  return %1
}`);
  expect(webgpuSupports(g)).toEqual(['matmul']);
});
