/**
 * Matmul (GEMM over packed constant weights) with and without fused
 * epilogues, fused elementwise kernels (hand-written and random), views of
 * weights, and the errors for what the wasm target does not cover yet.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { compileWasm, wasmSupports, WasmUnsupportedError } from '../../../targets/wasm/index.js';
import { checkAgainstInterpreter, randomValues } from './check.js';

/** Parses `src` and gives each named weight deterministic random data. */
function graphWithWeights(src: string, weights: Record<string, number[]>): Graph {
  const g = parseGraph(src);
  Object.entries(weights).forEach(([name, shape], i) => {
    g.weights.set(name, f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), 100 + i)));
  });
  return g;
}

describe('wasm matmul', () => {
  it.each([
    [1, 1],
    [5, 3],
    [16, 32],
    [13, 19],
    [33, 8],
  ])('plain [N,%i] x [%i,F]', async (k, f) => {
    const g = graphWithWeights(
      `graph @g(%x: f32[N,${k}]) -> (y: f32[N,${f}]) {
  %w = const() {ref="w", dtype="f32", shape=[${k},${f}]} : f32[${k},${f}]
  %1 = matmul(%x, %w) {transpose_a=false, transpose_b=false} : f32[N,${f}]
  return %1
}`,
      { w: [k, f] },
    );
    expect(await checkAgainstInterpreter(g, { batches: [1, 3, 6] })).toEqual([]);
  });

  it('transpose_b and rank-3 activations', async () => {
    const g = graphWithWeights(
      `graph @g(%x: f32[N,4,6]) -> (y: f32[N,4,5]) {
  %w = const() {ref="w", dtype="f32", shape=[5,6]} : f32[5,6]
  %1 = matmul(%x, %w) {transpose_a=false, transpose_b=true} : f32[N,4,5]
  return %1
}`,
      { w: [5, 6] },
    );
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it('fused epilogue: bias, activation, residual, row-broadcast and scalar operands', async () => {
    const g = graphWithWeights(
      `graph @g(%x: f32[N,12], %r: f32[N,10], %c: f32[N,1]) -> (y: f32[N,10]) {
  %w = const() {ref="w", dtype="f32", shape=[12,10]} : f32[12,10]
  %b = const() {ref="b", dtype="f32", shape=[10]} : f32[10]
  %s = const() {ref="s", dtype="f32", shape=[]} : f32[]
  %1 = fused(%x, %w, %b, %r, %c, %s) {name="matmul+add+gelu+add+mul+sub"} : f32[N,10] {
    graph @kernel(%2: f32[N,12], %3: f32[12,10], %4: f32[10], %5: f32[N,10], %6: f32[N,1], %7: f32[]) -> (r0: f32[N,10]) {
      %8 = matmul(%2, %3) {transpose_a=false, transpose_b=false} : f32[N,10]
      %9 = add(%8, %4) : f32[N,10]
      %10 = gelu(%9) {approximate=false} : f32[N,10]
      %11 = add(%10, %5) : f32[N,10]
      %12 = mul(%11, %6) : f32[N,10]
      %13 = sub(%12, %7) : f32[N,10]
      return %13
    }
  }
  return %1
}`,
      { w: [12, 10], b: [10], s: [] },
    );
    expect(await checkAgainstInterpreter(g, { batches: [1, 3, 5] })).toEqual([]);
  });
});

describe('wasm fused elementwise kernels', () => {
  it('several results, a bool intermediate and broadcast weights', async () => {
    const g = graphWithWeights(
      `graph @g(%x: f32[N,3,7], %y: f32[N,1,7]) -> (a: f32[N,3,7], b: f32[N,3,7]) {
  %alpha = const() {ref="alpha", dtype="f32", shape=[7]} : f32[7]
  %1, %9 = fused(%x, %y, %alpha) {name="mul+greater_equal+select+tanh"} : f32[N,3,7], f32[N,3,7] {
    graph @kernel(%2: f32[N,3,7], %3: f32[N,1,7], %4: f32[7]) -> (r0: f32[N,3,7], r1: f32[N,3,7]) {
      %5 = mul(%2, %4) : f32[N,3,7]
      %6 = greater_equal(%2, %3) : bool[N,3,7]
      %7 = select(%6, %2, %5) : f32[N,3,7]
      %8 = tanh(%7) : f32[N,3,7]
      return %7, %8
    }
  }
  return %1, %9
}`,
      { alpha: [7] },
    );
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  const unaryOps = ['tanh', 'sigmoid', 'relu', 'exp', 'softsign', 'swish', 'elu', 'neg', 'square', 'abs'];
  const binaryOps = ['add', 'sub', 'mul', 'maximum', 'minimum'];
  const shapes = ['[N,5]', '[5]', '[N,1]', '[]'];

  /** A random chain of elementwise ops over [N,5] operands with mixed broadcasting. */
  function randomFused(seed: number): string {
    const r = randomValues(64, seed).map((v) => Math.floor((v + 1) * 1000));
    const inputs = [0, 1, 2].map((i) => `%i${i}: f32${i === 0 ? '[N,5]' : shapes[r[i] % shapes.length]}`);
    const lines: string[] = [];
    let last = '%i0';
    const steps = 3 + (r[3] % 5);
    for (let s = 0; s < steps; s++) {
      const pick = r[4 + s];
      if (pick % 2 === 0) {
        lines.push(`      %v${s} = ${unaryOps[pick % unaryOps.length]}(${last}) : f32[N,5]`);
      } else {
        const other = `%i${1 + (pick % 2)}`;
        lines.push(`      %v${s} = ${binaryOps[pick % binaryOps.length]}(${last}, ${other}) : f32[N,5]`);
      }
      last = `%v${s}`;
    }
    const outerInputs = inputs.map((x) => x.replace('%i', '%x'));
    return `graph @g(${outerInputs.join(', ')}) -> (y: f32[N,5]) {
  %1 = fused(%x0, %x1, %x2) {name="random"} : f32[N,5] {
    graph @kernel(${inputs.join(', ')}) -> (r0: f32[N,5]) {
${lines.join('\n')}
      return ${last}
    }
  }
  return %1
}`;
  }

  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('random fused graph %i', async (seed) => {
    const g = parseGraph(randomFused(seed));
    expect(await checkAgainstInterpreter(g, { scale: 2 })).toEqual([]);
  });
});

describe('wasm views and errors', () => {
  it('a reshape of a weight is copied into the arena; reshapes of activations are free', async () => {
    const g = graphWithWeights(
      `graph @g(%x: f32[N,6]) -> (y: f32[N,2,3]) {
  %w = const() {ref="w", dtype="f32", shape=[6]} : f32[6]
  %1 = reshape(%w) {shape=[2,3]} : f32[2,3]
  %2 = reshape(%x) {shape=[N,2,3]} : f32[N,2,3]
  %3 = add(%2, %1) : f32[N,2,3]
  return %3
}`,
      { w: [6] },
    );
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it('names the unsupported op, and wasmSupports lists it up front', () => {
    const g = parseGraph(`graph @g(%x: f32[N,4,4,2], %w: f32[3,3,2,3]) -> (y: f32[N,2,2,3]) {
  %1 = conv2d(%x, %w) {strides=[1,1], dilations=[1,1], padding="valid", pads=[[0,0],[0,0]], input_dilations=[1,1]} : f32[N,2,2,3]
  return %1
}`);
    expect(wasmSupports(g)).toEqual(['conv2d']);
    expect(() => compileWasm(g)).toThrow(WasmUnsupportedError);
    expect(() => compileWasm(g)).toThrow("the wasm target does not support op 'conv2d' with a non-constant filter yet");
  });

  it('a supported graph has nothing to report', () => {
    const g = parseGraph(`graph @g(%x: f32[N,4]) -> (y: f32[N,4]) {
  %1 = relu(%x) : f32[N,4]
  return %1
}`);
    expect(wasmSupports(g)).toEqual([]);
  });
});
