/**
 * The wasm target's NHWC window kernels (depthwise_conv2d plain and with a
 * fused epilogue, max / avg pooling, nearest / bilinear resize) and
 * reductions over non-trailing axes, each compiled alone and run against the
 * reference interpreter at batch 1 and 3. Channel counts are chosen so that
 * C % 4 takes every value (the scalar tail) and windows hit the padding.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { elementCount, resolveShape } from '../../../compiler/ir/types.js';
import { checkAgainstInterpreter, randomValues } from './check.js';

const PADS0 = 'pads=[[0,0],[0,0]]';

interface DepthwiseCase {
  h: number;
  w: number;
  c: number;
  k: [number, number];
  m: number;
  strides: [number, number];
  dilations: [number, number];
  padding: string;
  pads?: string;
}

function windowSize(size: number, k: number, s: number, d: number, padding: string, pads: [number, number]): number {
  const span = (k - 1) * d + 1;
  if (padding === 'same') return Math.ceil(size / s);
  if (padding === 'valid') return Math.floor((size - span) / s) + 1;
  return Math.floor((size + pads[0] + pads[1] - span) / s) + 1;
}

function parsePads(pads: string | undefined): [[number, number], [number, number]] {
  return pads ? (JSON.parse(pads.replace('pads=', '')) as [[number, number], [number, number]]) : [[0, 0], [0, 0]];
}

const constLine = (name: string, shape: number[]): string =>
  `%${name} = const() {ref="${name}", dtype="f32", shape=[${shape.join(',')}]} : f32[${shape.join(',')}]`;

/** A depthwise_conv2d graph with a constant filter, alone or fused with an epilogue. */
function depthwiseGraph(t: DepthwiseCase, epilogue: 'none' | 'bias_relu' | 'residual'): Graph {
  const pads = parsePads(t.pads);
  const oh = windowSize(t.h, t.k[0], t.strides[0], t.dilations[0], t.padding, pads[0]);
  const ow = windowSize(t.w, t.k[1], t.strides[1], t.dilations[1], t.padding, pads[1]);
  const cm = t.c * t.m;
  const filterShape = [t.k[0], t.k[1], t.c, t.m];
  const filter = `f32[${filterShape.join(',')}]`;
  const input = `f32[N,${t.h},${t.w},${t.c}]`;
  const out = `f32[N,${oh},${ow},${cm}]`;
  const attrs = `{strides=[${t.strides.join(',')}], dilations=[${t.dilations.join(',')}], padding="${t.padding}", ${t.pads ?? PADS0}}`;
  const weights: Record<string, number[]> = { w: filterShape };
  let src: string;
  if (epilogue === 'none') {
    src = `graph @g(%x: ${input}) -> (y: ${out}) {
  ${constLine('w', filterShape)}
  %1 = depthwise_conv2d(%x, %w) ${attrs} : ${out}
  return %1
}`;
  } else {
    // bias + relu reads a constant [C*M] bias; residual + tanh reads a second activation of the result's shape.
    const bias = epilogue === 'bias_relu';
    if (bias) weights.b = [cm];
    const extra = bias ? `f32[${cm}]` : out;
    src = `graph @g(%x: ${input}${bias ? '' : `, %r: ${out}`}) -> (y: ${out}) {
  ${constLine('w', filterShape)}
  ${bias ? constLine('b', [cm]) : ''}
  %1 = fused(%x, %w, ${bias ? '%b' : '%r'}) {name="depthwise_conv2d+epilogue"} : ${out} {
    graph @kernel(%2: ${input}, %3: ${filter}, %4: ${extra}) -> (r0: ${out}) {
      %5 = depthwise_conv2d(%2, %3) ${attrs} : ${out}
      %6 = add(%5, %4) : ${out}
      %7 = ${bias ? 'relu' : 'tanh'}(%6) : ${out}
      return %7
    }
  }
  return %1
}`;
  }
  const g = parseGraph(src);
  Object.entries(weights).forEach(([name, shape], i) => {
    g.weights.set(name, f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), 100 + i)));
  });
  return g;
}

const DEPTHWISE: DepthwiseCase[] = [
  { h: 9, w: 10, c: 4, k: [3, 3], m: 2, strides: [1, 1], dilations: [1, 1], padding: 'same' },
  { h: 7, w: 8, c: 8, k: [3, 3], m: 1, strides: [1, 1], dilations: [1, 1], padding: 'valid' },
  { h: 7, w: 6, c: 5, k: [3, 3], m: 1, strides: [2, 2], dilations: [1, 1], padding: 'same' },
  { h: 6, w: 7, c: 3, k: [2, 3], m: 3, strides: [2, 1], dilations: [1, 1], padding: 'valid' },
  { h: 8, w: 9, c: 6, k: [3, 2], m: 1, strides: [1, 1], dilations: [2, 2], padding: 'same' },
  { h: 5, w: 6, c: 7, k: [3, 3], m: 4, strides: [1, 2], dilations: [1, 1], padding: 'explicit', pads: 'pads=[[1,2],[0,1]]' },
  { h: 4, w: 4, c: 1, k: [5, 5], m: 1, strides: [1, 1], dilations: [1, 1], padding: 'same' },
];

const label = (t: DepthwiseCase): string =>
  `${t.h}x${t.w}x${t.c} k${t.k.join('x')} M${t.m} s${t.strides.join('x')} d${t.dilations.join('x')} ${t.padding}`;

describe('wasm depthwise_conv2d', () => {
  it.each(DEPTHWISE.map((t) => [label(t), t] as const))('%s', async (_l, t) => {
    const g = depthwiseGraph(t, 'none');
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it.each(DEPTHWISE.slice(0, 4).map((t) => [label(t), t] as const))('fused with bias + relu: %s', async (_l, t) => {
    const g = depthwiseGraph(t, 'bias_relu');
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it.each(DEPTHWISE.slice(2, 4).map((t) => [label(t), t] as const))('fused with a residual + tanh: %s', async (_l, t) => {
    const g = depthwiseGraph(t, 'residual');
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });
});

const POOLS: [string, string, string][] = [
  // [input shape, attrs, result shape]
  ['[N,9,10,3]', `{pool=[2,2], strides=[2,2], padding="valid", ${PADS0}}`, '[N,4,5,3]'],
  ['[N,9,10,3]', `{pool=[3,3], strides=[2,2], padding="same", ${PADS0}}`, '[N,5,5,3]'],
  ['[N,9,10,5]', `{pool=[3,3], strides=[1,1], padding="same", ${PADS0}}`, '[N,9,10,5]'],
  ['[N,8,7,8]', `{pool=[2,3], strides=[1,2], padding="valid", ${PADS0}}`, '[N,7,3,8]'],
  ['[N,6,7,6]', '{pool=[3,2], strides=[2,2], padding="explicit", pads=[[2,1],[1,0]]}', '[N,4,4,6]'],
  ['[N,1,11,4]', `{pool=[1,3], strides=[1,2], padding="same", ${PADS0}}`, '[N,1,6,4]'],
  // A static leading axis instead of the batch N.
  ['[2,6,7,5]', `{pool=[2,2], strides=[2,2], padding="valid", ${PADS0}}`, '[2,3,3,5]'],
];

describe('wasm pooling', () => {
  for (const op of ['max_pool2d', 'avg_pool2d']) {
    it.each(POOLS)(`${op} %s %s`, async (x, attrs, out) => {
      const g = parseGraph(`graph @g(%x: f32${x}) -> (y: f32${out}) {
  %1 = ${op}(%x) ${attrs} : f32${out}
  return %1
}`);
      expect(await checkAgainstInterpreter(g)).toEqual([]);
    });
  }

  it('max_pool2d gives NaN for a window holding NaN and never picks padding', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,5,5,6]) -> (y: f32[N,3,3,6]) {
  %1 = max_pool2d(%x) {pool=[3,3], strides=[2,2], padding="same", ${PADS0}} : f32[N,3,3,6]
  return %1
}`);
    const inputs = (batch: number): ReturnType<typeof f32>[] => {
      const shape = resolveShape([batch, 5, 5, 6], batch);
      const values = randomValues(elementCount(shape), batch, 4).map((v) => v - 10);
      [0, 7, 13, 40, 41, 99].forEach((i, k) => (values[i] = k % 2 === 0 ? NaN : -Infinity));
      return [f32(shape, values)];
    };
    expect(await checkAgainstInterpreter(g, { inputs })).toEqual([]);
  });
});

describe('wasm resize', () => {
  const attrSets = [
    'align_corners=false, half_pixel_centers=false',
    'align_corners=true, half_pixel_centers=false',
    'align_corners=false, half_pixel_centers=true',
  ];
  const sizes: [string, string][] = [
    ['[N,4,5,3]', '[8,10]'],
    ['[N,5,4,6]', '[3,7]'],
    ['[N,3,3,4]', '[1,5]'],
  ];
  for (const op of ['resize_nearest', 'resize_bilinear']) {
    for (const attrs of attrSets) {
      it.each(sizes)(`${op} {${attrs}} %s -> %s`, async (x, size) => {
        const [, , , c] = JSON.parse(x.replace('N', '0')) as number[];
        const out = `f32[N,${(JSON.parse(size) as number[]).join(',')},${c}]`;
        const g = parseGraph(`graph @g(%x: f32${x}) -> (y: ${out}) {
  %1 = ${op}(%x) {size=${size}, ${attrs}} : ${out}
  return %1
}`);
        expect(await checkAgainstInterpreter(g)).toEqual([]);
      });
    }
  }
});

describe('wasm reductions over inner axes', () => {
  const cases: [string, string, string][] = [
    ['[N,9,10,3]', '[1,2]', '[N,3]'],
    ['[N,5,7,9]', '[1,2]', '[N,9]'],
    ['[N,11,4]', '[1]', '[N,4]'],
    ['[N,3,5,2,6]', '[2,3]', '[N,3,6]'],
    ['[N,1,6,5]', '[1,2]', '[N,5]'],
  ];
  for (const op of ['reduce_sum', 'reduce_mean', 'reduce_max']) {
    it.each(cases)(`${op} %s axes %s`, async (x, axes, out) => {
      const g = parseGraph(`graph @g(%x: f32${x}) -> (y: f32${out}) {
  %1 = ${op}(%x) {axes=${axes}, keepdims=false} : f32${out}
  return %1
}`);
      expect(await checkAgainstInterpreter(g)).toEqual([]);
    });
  }
});
