/**
 * The recurrent `scan` kernel against the reference interpreter at batch 1
 * and 3: forward and reverse, one or two states, several sequences and step
 * outputs, constant invariants (the GEMM packs them) and non-constant ones
 * (copied into the body each step), no states at all, a static batch, odd
 * sizes throughout; and the refusals for bodies the target cannot compile.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { compileWasm, wasmSupports, WasmUnsupportedError } from '../../../targets/wasm/index.js';
import { checkAgainstInterpreter, randomValues } from './check.js';

function graphWithWeights(src: string, weights: Record<string, number[]>): Graph {
  const g = parseGraph(src);
  Object.entries(weights).forEach(([name, shape], i) => {
    g.weights.set(name, f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), 200 + i, 0.6)));
  });
  return g;
}

/** A SimpleRNN with its input projection inside the body and a bias invariant. */
function simpleRnn(reverse: boolean): Graph {
  return graphWithWeights(
    `graph @g(%h0: f32[N,7], %x: f32[N,5,3]) -> (h: f32[N,7], y: f32[N,5,7]) {
  %w = const() {ref="w", dtype="f32", shape=[3,7]} : f32[3,7]
  %u = const() {ref="u", dtype="f32", shape=[7,7]} : f32[7,7]
  %b = const() {ref="b", dtype="f32", shape=[7]} : f32[7]
  %1, %2 = scan(%h0, %x, %w, %u, %b) {num_states=1, num_sequences=1, reverse=${reverse}} : f32[N,7], f32[N,5,7] {
    graph @step(%h: f32[N,7], %xt: f32[N,3], %kw: f32[3,7], %ku: f32[7,7], %kb: f32[7]) -> (h: f32[N,7], y: f32[N,7]) {
      %3 = matmul(%xt, %kw) {transpose_a=false, transpose_b=false} : f32[N,7]
      %4 = matmul(%h, %ku) {transpose_a=false, transpose_b=false} : f32[N,7]
      %5 = add(%3, %4) : f32[N,7]
      %6 = add(%5, %kb) : f32[N,7]
      %7 = tanh(%6) : f32[N,7]
      return %7, %7
    }
  }
  return %1, %2
}`,
    { w: [3, 7], u: [7, 7], b: [7] },
  );
}

describe('wasm scan', () => {
  it.each([false, true])('SimpleRNN step, reverse=%s', async (reverse) => {
    expect(await checkAgainstInterpreter(simpleRnn(reverse), { scale: 1 })).toEqual([]);
  });

  it('LSTM step: two states, gates sliced from one GEMM, three results', async () => {
    const g = graphWithWeights(
      `graph @g(%x: f32[N,6,5]) -> (h: f32[N,5], c: f32[N,5], y: f32[N,6,5]) {
  %h0 = fill() {shape=[N,5], value=0, dtype="f32"} : f32[N,5]
  %u = const() {ref="u", dtype="f32", shape=[5,20]} : f32[5,20]
  %w = const() {ref="w", dtype="f32", shape=[5,20]} : f32[5,20]
  %1, %2, %3 = scan(%h0, %h0, %x, %u, %w) {num_states=2, num_sequences=1, reverse=false} : f32[N,5], f32[N,5], f32[N,6,5] {
    graph @step(%h: f32[N,5], %c: f32[N,5], %xt: f32[N,5], %ku: f32[5,20], %kw: f32[5,20]) -> (h: f32[N,5], c: f32[N,5], y: f32[N,5]) {
      %4 = matmul(%h, %ku) {transpose_a=false, transpose_b=false} : f32[N,20]
      %5 = matmul(%xt, %kw) {transpose_a=false, transpose_b=false} : f32[N,20]
      %6 = add(%4, %5) : f32[N,20]
      %7 = slice(%6) {begin=[0,0], end=[0,5]} : f32[N,5]
      %8 = sigmoid(%7) : f32[N,5]
      %9 = slice(%6) {begin=[0,5], end=[0,10]} : f32[N,5]
      %10 = sigmoid(%9) : f32[N,5]
      %11 = slice(%6) {begin=[0,10], end=[0,15]} : f32[N,5]
      %12 = tanh(%11) : f32[N,5]
      %13 = slice(%6) {begin=[0,15], end=[0,20]} : f32[N,5]
      %14 = sigmoid(%13) : f32[N,5]
      %15 = mul(%10, %c) : f32[N,5]
      %16 = mul(%8, %12) : f32[N,5]
      %17 = add(%15, %16) : f32[N,5]
      %18 = tanh(%17) : f32[N,5]
      %19 = mul(%14, %18) : f32[N,5]
      return %19, %17, %19
    }
  }
  return %1, %2, %3
}`,
      { u: [5, 20], w: [5, 20] },
    );
    expect(await checkAgainstInterpreter(g, { scale: 1 })).toEqual([]);
  });

  it('states swapped each step, two sequences, a non-constant invariant, two step outputs (reverse)', async () => {
    const g = parseGraph(`graph @g(%a0: f32[N,3], %b0: f32[N,3], %x: f32[N,4,3], %m: f32[N,4,3], %s: f32[3]) -> (a: f32[N,3], b: f32[N,3], p: f32[N,4,3], q: f32[N,4,3]) {
  %1, %2, %3, %4 = scan(%a0, %b0, %x, %m, %s) {num_states=2, num_sequences=2, reverse=true} : f32[N,3], f32[N,3], f32[N,4,3], f32[N,4,3] {
    graph @step(%a: f32[N,3], %b: f32[N,3], %xt: f32[N,3], %mt: f32[N,3], %k: f32[3]) -> (a: f32[N,3], b: f32[N,3], p: f32[N,3], q: f32[N,3]) {
      %5 = mul(%a, %k) : f32[N,3]
      %6 = add(%5, %xt) : f32[N,3]
      %7 = sub(%b, %mt) : f32[N,3]
      %8 = tanh(%6) : f32[N,3]
      return %7, %8, %6, %7
    }
  }
  return %1, %2, %3, %4
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it('no states: a per-step map over a sequence', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,9,6]) -> (y: f32[N,9,6]) {
  %1 = scan(%x) {num_states=0, num_sequences=1, reverse=false} : f32[N,9,6] {
    graph @step(%xt: f32[N,6]) -> (y: f32[N,6]) {
      %2 = relu(%xt) : f32[N,6]
      return %2
    }
  }
  return %1
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it('a static batch of 2 with a state passed through unchanged by the plan', async () => {
    const g = parseGraph(`graph @g(%h0: f32[2,5], %x: f32[2,3,5]) -> (h: f32[2,5], y: f32[2,3,5]) {
  %1, %2 = scan(%h0, %x) {num_states=1, num_sequences=1, reverse=false} : f32[2,5], f32[2,3,5] {
    graph @step(%h: f32[2,5], %xt: f32[2,5]) -> (h: f32[2,5], y: f32[2,5]) {
      %3 = maximum(%h, %xt) : f32[2,5]
      return %3, %h
    }
  }
  return %1, %2
}`);
    expect(await checkAgainstInterpreter(g, { batches: [1] })).toEqual([]);
  });

  it('refuses a scan nested in a scan body, naming it', () => {
    const g = parseGraph(`graph @g(%x: f32[N,2,3,4]) -> (y: f32[N,2,3,4]) {
  %1 = scan(%x) {num_states=0, num_sequences=1, reverse=false} : f32[N,2,3,4] {
    graph @outer(%xt: f32[N,3,4]) -> (y: f32[N,3,4]) {
      %2 = scan(%xt) {num_states=0, num_sequences=1, reverse=false} : f32[N,3,4] {
        graph @inner(%xs: f32[N,4]) -> (y: f32[N,4]) {
          %3 = neg(%xs) : f32[N,4]
          return %3
        }
      }
      return %2
    }
  }
  return %1
}`);
    expect(wasmSupports(g)).toEqual(['scan']);
    expect(() => compileWasm(g)).toThrow(WasmUnsupportedError);
    expect(() => compileWasm(g)).toThrow(/'scan' nested in a 'scan' body/);
  });
});
