/**
 * The WebGPU window kernels against the reference interpreter at batch 1
 * and 3: depthwise_conv2d over strides, dilations, depth multipliers and
 * every padding mode, plain and as the anchor of fused epilogues (bias +
 * relu6, bias + relu, residual + tanh, and the pipeline's own fusion of a
 * MobileNet block), and max / avg pooling with windows that hit the padding.
 */
import { expect, it } from 'vitest';
import type { Graph } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { elementCount, resolveShape } from '../../../compiler/ir/types.js';
import { windowPadding } from '../../../compiler/ops/util.js';
import { runPasses } from '../../../compiler/passes/manager.js';
import { pipelinePasses } from '../../../compiler/passes/pipeline.js';
import { checkOnGpu, describeGpu, randomValues } from './check.js';

type Pads = [[number, number], [number, number]];

interface DepthwiseCase {
  /** Input [lead, h, w, c]; lead is the batch N unless a number is given. */
  lead?: number;
  h: number;
  w: number;
  c: number;
  k: [number, number];
  m: number;
  strides: [number, number];
  dilations: [number, number];
  padding: 'valid' | 'same' | 'explicit';
  pads?: Pads;
}

type Epilogue = 'none' | 'bias_relu6' | 'bias_relu' | 'residual_tanh';

const NO_PADS: Pads = [[0, 0], [0, 0]];

const constLine = (name: string, shape: number[]): string =>
  `%${name} = const() {ref="${name}", dtype="f32", shape=[${shape.join(',')}]} : f32[${shape.join(',')}]`;

function setWeights(g: Graph, shapes: Record<string, number[]>): Graph {
  Object.entries(shapes).forEach(([name, shape], i) => {
    g.weights.set(name, f32(shape, randomValues(elementCount(shape), 100 + i)));
  });
  return g;
}

/** A depthwise_conv2d with a constant filter, alone or wrapped in a fused kernel with an epilogue. */
function depthwiseGraph(t: DepthwiseCase, epilogue: Epilogue): Graph {
  const pads = t.pads ?? NO_PADS;
  const oh = windowPadding(t.h, t.k[0], t.strides[0], t.dilations[0], t.padding, pads[0]).out;
  const ow = windowPadding(t.w, t.k[1], t.strides[1], t.dilations[1], t.padding, pads[1]).out;
  const cm = t.c * t.m;
  const lead = t.lead ?? 'N';
  const filterShape = [t.k[0], t.k[1], t.c, t.m];
  const filter = `f32[${filterShape.join(',')}]`;
  const input = `f32[${lead},${t.h},${t.w},${t.c}]`;
  const out = `f32[${lead},${oh},${ow},${cm}]`;
  const attrs = `{strides=[${t.strides.join(',')}], dilations=[${t.dilations.join(',')}], padding="${t.padding}", pads=${JSON.stringify(pads)}}`;
  const weights: Record<string, number[]> = { w: filterShape };
  if (epilogue === 'none') {
    return setWeights(
      parseGraph(`graph @g(%x: ${input}) -> (y: ${out}) {
  ${constLine('w', filterShape)}
  %1 = depthwise_conv2d(%x, %w) ${attrs} : ${out}
  return %1
}`),
      weights,
    );
  }
  const residual = epilogue === 'residual_tanh';
  if (!residual) weights.b = [cm];
  const extra = residual ? out : `f32[${cm}]`;
  const activation = { bias_relu6: 'relu6', bias_relu: 'relu', residual_tanh: 'tanh' }[epilogue];
  return setWeights(
    parseGraph(`graph @g(%x: ${input}${residual ? `, %r: ${out}` : ''}) -> (y: ${out}) {
  ${constLine('w', filterShape)}
  ${residual ? '' : constLine('b', [cm])}
  %1 = fused(%x, %w, ${residual ? '%r' : '%b'}) {name="depthwise_conv2d+add+${activation}"} : ${out} {
    graph @kernel(%2: ${input}, %3: ${filter}, %4: ${extra}) -> (r0: ${out}) {
      %5 = depthwise_conv2d(%2, %3) ${attrs} : ${out}
      %6 = add(%5, %4) : ${out}
      %7 = ${activation}(%6) : ${out}
      return %7
    }
  }
  return %1
}`),
    weights,
  );
}

const DEPTHWISE: DepthwiseCase[] = [
  // MobileNet's two depthwise shapes: 3x3 stride 1 and stride 2, "same".
  { h: 8, w: 8, c: 16, k: [3, 3], m: 1, strides: [1, 1], dilations: [1, 1], padding: 'same' },
  { h: 9, w: 9, c: 8, k: [3, 3], m: 1, strides: [2, 2], dilations: [1, 1], padding: 'same' },
  { h: 9, w: 10, c: 4, k: [3, 3], m: 2, strides: [1, 1], dilations: [1, 1], padding: 'same' },
  { h: 7, w: 8, c: 8, k: [3, 3], m: 1, strides: [1, 1], dilations: [1, 1], padding: 'valid' },
  { h: 7, w: 6, c: 5, k: [3, 3], m: 1, strides: [2, 2], dilations: [1, 1], padding: 'same' },
  { h: 6, w: 7, c: 3, k: [2, 3], m: 3, strides: [2, 1], dilations: [1, 1], padding: 'valid' },
  { h: 8, w: 9, c: 6, k: [3, 2], m: 1, strides: [1, 1], dilations: [2, 2], padding: 'same' },
  { h: 9, w: 8, c: 2, k: [3, 3], m: 2, strides: [2, 1], dilations: [2, 3], padding: 'valid' },
  { h: 5, w: 6, c: 7, k: [3, 3], m: 4, strides: [1, 2], dilations: [1, 1], padding: 'explicit', pads: [[1, 2], [0, 1]] },
  { h: 4, w: 4, c: 1, k: [5, 5], m: 1, strides: [1, 1], dilations: [1, 1], padding: 'same' },
  // A static leading axis instead of the batch N.
  { lead: 2, h: 6, w: 5, c: 3, k: [3, 3], m: 1, strides: [1, 1], dilations: [1, 1], padding: 'same' },
];

const label = (t: DepthwiseCase): string =>
  `${t.lead ?? 'N'}x${t.h}x${t.w}x${t.c} k${t.k.join('x')} M${t.m} s${t.strides.join('x')} d${t.dilations.join('x')} ${t.padding}`;

describeGpu('webgpu depthwise_conv2d', () => {
  it.each(DEPTHWISE.map((t) => [label(t), t] as const))('%s', async (_l, t) => {
    expect(await checkOnGpu(depthwiseGraph(t, 'none'))).toEqual([]);
  });

  it.each(DEPTHWISE.slice(0, 3).map((t) => [label(t), t] as const))('fused with bias + relu6: %s', async (_l, t) => {
    expect(await checkOnGpu(depthwiseGraph(t, 'bias_relu6'))).toEqual([]);
  });

  it.each([DEPTHWISE[5], DEPTHWISE[8]].map((t) => [label(t), t] as const))('fused with bias + relu: %s', async (_l, t) => {
    expect(await checkOnGpu(depthwiseGraph(t, 'bias_relu'))).toEqual([]);
  });

  it.each([DEPTHWISE[3], DEPTHWISE[4], DEPTHWISE[5]].map((t) => [label(t), t] as const))('fused with a residual + tanh: %s', async (_l, t) => {
    expect(await checkOnGpu(depthwiseGraph(t, 'residual_tanh'))).toEqual([]);
  });

  it('fused with a residual it overwrites in place', async () => {
    // The residual is computed (a 1x1 max pool) and dies at the kernel, so the plan writes the result over it.
    const g = parseGraph(`graph @g(%x: f32[N,6,6,4], %r0: f32[N,6,6,4]) -> (y: f32[N,6,6,4]) {
  ${constLine('w', [3, 3, 4, 1])}
  %r = max_pool2d(%r0) {pool=[1,1], strides=[1,1], padding="valid", pads=[[0,0],[0,0]]} : f32[N,6,6,4]
  %1 = fused(%x, %w, %r) {name="depthwise_conv2d+add"} : f32[N,6,6,4] {
    graph @kernel(%2: f32[N,6,6,4], %3: f32[3,3,4,1], %4: f32[N,6,6,4]) -> (r0: f32[N,6,6,4]) {
      %5 = depthwise_conv2d(%2, %3) {strides=[1,1], dilations=[1,1], padding="same", pads=[[0,0],[0,0]]} : f32[N,6,6,4]
      %6 = add(%5, %4) : f32[N,6,6,4]
      return %6
    }
  }
  return %1
}`);
    setWeights(g, { w: [3, 3, 4, 1] });
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('runs a MobileNet block after the optimization pipeline (batch norm folded, bias + relu6 fused)', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,10,10,8]) -> (y: f32[N,5,5,8]) {
  ${constLine('w', [3, 3, 8, 1])}
  ${constLine('mean', [8])}
  ${constLine('var', [8])}
  ${constLine('gamma', [8])}
  ${constLine('beta', [8])}
  %1 = depthwise_conv2d(%x, %w) {strides=[2,2], dilations=[1,1], padding="same", pads=[[0,0],[0,0]]} : f32[N,5,5,8]
  %2 = batch_norm(%1, %mean, %var, %gamma, %beta) {epsilon=0.001, axis=-1} : f32[N,5,5,8]
  %3 = relu6(%2) : f32[N,5,5,8]
  return %3
}`);
    setWeights(g, { w: [3, 3, 8, 1], mean: [8], gamma: [8], beta: [8] });
    g.weights.set('var', f32([8], randomValues(8, 7).map((v) => v + 1.5)));
    runPasses(g, pipelinePasses(), { verifyEach: true });
    expect(g.nodes.some((n) => n.op === 'fused' && n.body?.nodes[0].op === 'depthwise_conv2d')).toBe(true);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

const POOLS: [string, string, string][] = [
  // [input shape, attrs, result shape]
  ['[N,9,10,3]', '{pool=[2,2], strides=[2,2], padding="valid", pads=[[0,0],[0,0]]}', '[N,4,5,3]'],
  ['[N,9,10,3]', '{pool=[3,3], strides=[2,2], padding="same", pads=[[0,0],[0,0]]}', '[N,5,5,3]'],
  ['[N,9,10,5]', '{pool=[3,3], strides=[1,1], padding="same", pads=[[0,0],[0,0]]}', '[N,9,10,5]'],
  ['[N,8,7,8]', '{pool=[2,3], strides=[1,2], padding="valid", pads=[[0,0],[0,0]]}', '[N,7,3,8]'],
  ['[N,6,7,6]', '{pool=[3,2], strides=[2,2], padding="explicit", pads=[[2,1],[1,0]]}', '[N,4,4,6]'],
  ['[N,1,11,4]', '{pool=[1,3], strides=[1,2], padding="same", pads=[[0,0],[0,0]]}', '[N,1,6,4]'],
  ['[N,7,7,16]', '{pool=[7,7], strides=[1,1], padding="valid", pads=[[0,0],[0,0]]}', '[N,1,1,16]'],
  // A static leading axis instead of the batch N.
  ['[2,6,7,5]', '{pool=[2,2], strides=[2,2], padding="valid", pads=[[0,0],[0,0]]}', '[2,3,3,5]'],
];

describeGpu('webgpu pooling', () => {
  for (const op of ['max_pool2d', 'avg_pool2d']) {
    it.each(POOLS)(`${op} %s %s`, async (x, attrs, out) => {
      const g = parseGraph(`graph @g(%x: f32${x}) -> (y: f32${out}) {
  %1 = ${op}(%x) ${attrs} : f32${out}
  return %1
}`);
      expect(await checkOnGpu(g)).toEqual([]);
    });
  }

  it('max_pool2d never picks padding, gives NaN for a window holding NaN and -Inf for a window of only -Inf', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,5,5,6]) -> (y: f32[N,3,3,6]) {
  %1 = max_pool2d(%x) {pool=[3,3], strides=[2,2], padding="same", pads=[[0,0],[0,0]]} : f32[N,3,3,6]
  return %1
}`);
    const inputs = (batch: number): ReturnType<typeof f32>[] => {
      const shape = resolveShape([batch, 5, 5, 6], batch);
      // Values below zero, so a max that read the zero padding would show.
      const values = randomValues(elementCount(shape), batch, 4).map((v) => v - 10);
      [0, 7, 13, 40, 41, 99].forEach((i, k) => (values[i] = k % 2 === 0 ? NaN : -Infinity));
      // The top-left window (rows 0-1, columns 0-1 under "same" padding): NaN and -Inf only in channel 0, -Inf only in channel 1.
      [0, 6, 30, 36].forEach((i, k) => (values[i] = k % 2 === 0 ? NaN : -Infinity));
      [1, 7, 31, 37].forEach((i) => (values[i] = -Infinity));
      return [f32(shape, values)];
    };
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });
});
