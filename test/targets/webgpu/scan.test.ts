/**
 * The recurrent `scan` on the WebGPU target against the reference interpreter
 * at batch 1 and 3: the per-step copies alone (bodies that only move values:
 * states swapped, invariants and weights as step outputs, views of both),
 * then SimpleRNN, LSTM and GRU steps written as IR, forward and reversed,
 * several sequences and step outputs, no states, a static batch; the
 * refusals; and the recurrent conformance models end to end.
 */
import { describe, expect, it } from 'vitest';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { loadKerasFile } from '../../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../../compiler/frontend/lower.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { compileWebGpu, unsupportedGpuNodes, webgpuSupports, WebGpuUnsupportedError } from '../../../targets/webgpu/index.js';
import { listConformanceCases, loadSample } from '../../helpers/conformance.js';
import { compareTensors } from '../../helpers/tolerance.js';
import { checkOnGpu, describeGpu, loadOnGpu, randomValues } from './check.js';

function graphWithWeights(src: string, weights: Record<string, number[]>): Graph {
  const g = parseGraph(src);
  Object.entries(weights).forEach(([name, shape], i) => {
    g.weights.set(name, f32(shape, randomValues(shape.reduce((p, d) => p * d, 1), 300 + i, 0.6)));
  });
  return g;
}

describeGpu('webgpu scan: per-step copies', () => {
  it.each([false, true])('states swapped, two sequences, the previous state as a step output (reverse=%s)', async (reverse) => {
    const g = parseGraph(`graph @g(%a0: f32[N,3], %b0: f32[N,3], %x: f32[N,4,3], %m: f32[N,4,3]) -> (a: f32[N,3], b: f32[N,3], p: f32[N,4,3], q: f32[N,4,3]) {
  %1, %2, %3, %4 = scan(%a0, %b0, %x, %m) {num_states=2, num_sequences=2, reverse=${reverse}} : f32[N,3], f32[N,3], f32[N,4,3], f32[N,4,3] {
    graph @step(%a: f32[N,3], %b: f32[N,3], %xt: f32[N,3], %mt: f32[N,3]) -> (a: f32[N,3], b: f32[N,3], p: f32[N,3], q: f32[N,3]) {
      return %b, %xt, %a, %mt
    }
  }
  return %1, %2, %3, %4
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('an invariant, a weight and views of both as step outputs; a static batch', async () => {
    const g = graphWithWeights(
      `graph @g(%h0: f32[2,6], %x: f32[2,5,2,3], %k: f32[2,6]) -> (h: f32[2,6], y: f32[2,5,6], z: f32[2,5,6], w: f32[2,5,6]) {
  %1, %2, %3, %4 = scan(%h0, %x, %k) {num_states=1, num_sequences=1, reverse=true} : f32[2,6], f32[2,5,6], f32[2,5,6], f32[2,5,6] {
    graph @step(%h: f32[2,6], %xt: f32[2,2,3], %kt: f32[2,6]) -> (h: f32[2,6], y: f32[2,6], z: f32[2,6], w: f32[2,6]) {
      %5 = reshape(%xt) {shape=[2,6]} : f32[2,6]
      %6 = const() {ref="w", dtype="f32", shape=[12]} : f32[12]
      %7 = reshape(%6) {shape=[2,6]} : f32[2,6]
      %8 = reshape(%kt) {shape=[12]} : f32[12]
      %9 = reshape(%8) {shape=[2,6]} : f32[2,6]
      return %5, %h, %7, %9
    }
  }
  return %1, %2, %3, %4
}`,
      { w: [12] },
    );
    expect(await checkOnGpu(g, { batches: [1] })).toEqual([]);
  });

  it('no steps at all: the final states are the initial ones', async () => {
    const g = parseGraph(`graph @g(%h0: f32[N,3], %x: f32[N,0,3]) -> (h: f32[N,3]) {
  %1 = scan(%h0, %x) {num_states=1, num_sequences=1, reverse=false} : f32[N,3] {
    graph @step(%h: f32[N,3], %xt: f32[N,3]) -> (h: f32[N,3]) {
      return %xt
    }
  }
  return %1
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('shares one shader per copy kind across the steps', () => {
    const g = parseGraph(`graph @g(%h0: f32[N,3], %x: f32[N,9,3]) -> (h: f32[N,3], y: f32[N,9,3]) {
  %1, %2 = scan(%h0, %x) {num_states=1, num_sequences=1, reverse=true} : f32[N,3], f32[N,9,3] {
    graph @step(%h: f32[N,3], %xt: f32[N,3]) -> (h: f32[N,3], y: f32[N,3]) {
      return %xt, %h
    }
  }
  return %1, %2
}`);
    const { layout } = compileWebGpu(g);
    // state copies (in and out share one), the gather, the stack.
    expect(layout.kernels.length).toBe(3);
    expect(layout.dispatches.length).toBe(9 * 4);
    expect(layout.steps).toBe(9);
  });
});

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

const LSTM = `graph @g(%x: f32[N,6,5]) -> (h: f32[N,5], c: f32[N,5], y: f32[N,6,5]) {
  %h0 = fill() {shape=[N,5], value=0, dtype="f32"} : f32[N,5]
  %u = const() {ref="u", dtype="f32", shape=[5,20]} : f32[5,20]
  %w = const() {ref="w", dtype="f32", shape=[5,20]} : f32[5,20]
  %1, %2, %3 = scan(%h0, %h0, %x, %u, %w) {num_states=2, num_sequences=1, reverse=REVERSE} : f32[N,5], f32[N,5], f32[N,6,5] {
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
}`;

/** A GRU (reset after) with the input projection outside the loop, as Keras lowers it. */
const GRU = `graph @g(%h0: f32[N,4], %x: f32[N,5,12]) -> (h: f32[N,4], y: f32[N,5,4]) {
  %u = const() {ref="u", dtype="f32", shape=[4,12]} : f32[4,12]
  %rb = const() {ref="rb", dtype="f32", shape=[12]} : f32[12]
  %1, %2 = scan(%h0, %x, %u, %rb) {num_states=1, num_sequences=1, reverse=false} : f32[N,4], f32[N,5,4] {
    graph @step(%h: f32[N,4], %xt: f32[N,12], %ku: f32[4,12], %kb: f32[12]) -> (h: f32[N,4], y: f32[N,4]) {
      %3 = matmul(%h, %ku) {transpose_a=false, transpose_b=false} : f32[N,12]
      %4 = add(%3, %kb) : f32[N,12]
      %5 = slice(%xt) {begin=[0,0], end=[0,4]} : f32[N,4]
      %6 = slice(%4) {begin=[0,0], end=[0,4]} : f32[N,4]
      %7 = add(%5, %6) : f32[N,4]
      %8 = sigmoid(%7) : f32[N,4]
      %9 = slice(%xt) {begin=[0,4], end=[0,8]} : f32[N,4]
      %10 = slice(%4) {begin=[0,4], end=[0,8]} : f32[N,4]
      %11 = add(%9, %10) : f32[N,4]
      %12 = sigmoid(%11) : f32[N,4]
      %13 = slice(%xt) {begin=[0,8], end=[0,12]} : f32[N,4]
      %14 = slice(%4) {begin=[0,8], end=[0,12]} : f32[N,4]
      %15 = mul(%12, %14) : f32[N,4]
      %16 = add(%13, %15) : f32[N,4]
      %17 = tanh(%16) : f32[N,4]
      %18 = sub(%h, %17) : f32[N,4]
      %19 = mul(%8, %18) : f32[N,4]
      %20 = add(%17, %19) : f32[N,4]
      return %20, %20
    }
  }
  return %1, %2
}`;

describeGpu('webgpu scan: recurrent cells', () => {
  it.each([false, true])('SimpleRNN step, reverse=%s', async (reverse) => {
    expect(await checkOnGpu(simpleRnn(reverse), { scale: 1 })).toEqual([]);
  });

  it.each([false, true])('LSTM step: two states from one operand, gates sliced from one GEMM, reverse=%s', async (reverse) => {
    const g = graphWithWeights(LSTM.replace('REVERSE', String(reverse)), { u: [5, 20], w: [5, 20] });
    expect(await checkOnGpu(g, { scale: 1 })).toEqual([]);
  });

  it('GRU step: the recurrent bias an invariant weight, the state read twice', async () => {
    const g = graphWithWeights(GRU, { u: [4, 12], rb: [12] });
    expect(await checkOnGpu(g, { scale: 1 })).toEqual([]);
  });

  it('a non-constant invariant, two sequences, two step outputs (reverse)', async () => {
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
    expect(await checkOnGpu(g)).toEqual([]);
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
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('a static batch of 2 with the old state as the step output', async () => {
    const g = parseGraph(`graph @g(%h0: f32[2,5], %x: f32[2,3,5]) -> (h: f32[2,5], y: f32[2,3,5]) {
  %1, %2 = scan(%h0, %x) {num_states=1, num_sequences=1, reverse=false} : f32[2,5], f32[2,3,5] {
    graph @step(%h: f32[2,5], %xt: f32[2,5]) -> (h: f32[2,5], y: f32[2,5]) {
      %3 = maximum(%h, %xt) : f32[2,5]
      return %3, %h
    }
  }
  return %1, %2
}`);
    expect(await checkOnGpu(g, { batches: [1] })).toEqual([]);
  });
});

describe('webgpu scan: refusals', () => {
  it('refuses a scan nested in a scan body, naming it', () => {
    const g = parseGraph(`graph @g(%x: f32[N,2,3,4]) -> (y: f32[N,2,3,4]) {
  %1 = scan(%x) {num_states=0, num_sequences=1, reverse=false} : f32[N,2,3,4] {
    graph @outer(%xt: f32[N,3,4]) -> (y: f32[N,3,4]) {
      %2 = scan(%xt) {num_states=0, num_sequences=1, reverse=false} : f32[N,3,4] {
        graph @inner(%xs: f32[N,4]) -> (y: f32[N,4]) {
          return %xs
        }
      }
      return %2
    }
  }
  return %1
}`);
    expect(webgpuSupports(g)).toEqual(['scan']);
    expect(() => compileWebGpu(g)).toThrow(WebGpuUnsupportedError);
    expect(() => compileWebGpu(g)).toThrow(/'scan' nested in a 'scan' body/);
  });

  it('refuses sequences whose time steps are not whole 4-byte words', () => {
    const g = parseGraph(`graph @g(%x: f32[N,4,3]) -> (y: f32[N,4,3]) {
  %1 = cast(%x) {to="bool"} : bool[N,4,3]
  %2 = scan(%1) {num_states=0, num_sequences=1, reverse=false} : bool[N,4,3] {
    graph @step(%xt: bool[N,3]) -> (y: bool[N,3]) {
      return %xt
    }
  }
  %3 = cast(%2) {to="f32"} : f32[N,4,3]
  return %3
}`);
    const scan = unsupportedGpuNodes(g).find((u) => u.op === 'scan');
    expect(scan?.reason).toMatch(/'scan' here: a time step of bool\[N,4,3\] is 3 bytes/);
  });
});

const RECURRENT = ['keras/simple_rnn', 'keras/lstm', 'keras/gru'];
const cases = listConformanceCases().filter((c) => RECURRENT.includes(`${c.suite}/${c.name}`));

describeGpu('recurrent conformance models through the webgpu target', () => {
  it('finds every case', () => {
    expect(cases.map((c) => `${c.suite}/${c.name}`).sort()).toEqual([...RECURRENT].sort());
  });

  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', async (_label, c) => {
    const { graph } = lowerModel(await loadKerasFile(c.modelFile));
    optimizeGraph(graph, {});
    expect(webgpuSupports(graph)).toEqual([]);
    const model = await loadOnGpu(graph);
    const failures: string[] = [];
    try {
      for (const [k, sample] of c.samples.entries()) {
        const { inputs, expected } = loadSample(sample);
        const got = await model.run(inputs, sample.batch);
        expected.forEach((want, j) => {
          const problem = compareTensors(got[j], want, c.tolerance);
          if (problem) failures.push(`sample ${k} (batch ${sample.batch}) output ${j} '${graph.outputs[j].name}': ${problem}`);
        });
      }
    } finally {
      model.dispose();
    }
    expect(failures).toEqual([]);
  });
});
