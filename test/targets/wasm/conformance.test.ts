/**
 * Conformance models the wasm target covers so far (MLPs and the activation
 * zoo), imported, lowered, optimized and compiled, then run on every sample
 * (batch 1 and 3) and checked against the expected Keras outputs by each
 * case's tolerance. A snapshot of a small compiled module's text form keeps
 * the code shape visible in review.
 */
import { describe, expect, it } from 'vitest';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { loadKerasFile } from '../../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../../compiler/frontend/lower.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { compileWasm, wasmSupports } from '../../../targets/wasm/index.js';
import { availableCaseKeys, listConformanceCases, loadSample, reportMissingRealSuite } from '../../helpers/conformance.js';
import { compareTensors } from '../../helpers/tolerance.js';
import { loadArtifact } from './run_wasm.js';

const COVERED = [
  'keras/dense_mlp',
  'keras/activations',
  'real/abalone-mlp',
  // Convolutions (im2col + GEMM):
  'keras/conv2d_valid_same',
  'keras/conv1d',
  'keras/conv2d_transpose',
  'keras/mnist_cnn',
  'real/quickdraw-cnn',
  // Pooling, depthwise convolutions, global reductions:
  'keras/pooling',
  'keras/depthwise_separable',
  // Recurrent layers (scan):
  'keras/simple_rnn',
  'keras/lstm',
  'keras/gru',
  'real/nietzsche-char-lstm',
  'real/ux-click-embedding-rnn',
  // Data movement, general matmul, gather, layer_norm:
  'keras/reshape_family',
  'keras/merge_functional',
  'keras/embedding_dense',
  'keras/layernorm',
  'keras/batchnorm',
  'keras/bidirectional_timedistributed',
];
const cases = listConformanceCases().filter((c) => COVERED.includes(`${c.suite}/${c.name}`));

describe('conformance models through the wasm target', () => {
  it('finds every covered case', () => {
    expect(cases.map((c) => `${c.suite}/${c.name}`).sort()).toEqual(availableCaseKeys(COVERED).sort());
  });
  reportMissingRealSuite();

  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', async (_label, c) => {
    const { graph } = lowerModel(await loadKerasFile(c.modelFile));
    optimizeGraph(graph, {});
    expect(wasmSupports(graph)).toEqual([]);
    const artifact = compileWasm(graph);
    expect(WebAssembly.validate(artifact.wasm)).toBe(true);
    const model = await loadArtifact(artifact);
    const failures: string[] = [];
    c.samples.forEach((sample, k) => {
      const { inputs, expected } = loadSample(sample);
      const got = model.run(inputs);
      expected.forEach((want, j) => {
        const problem = compareTensors(got[j], want, c.tolerance);
        if (problem) failures.push(`sample ${k} (batch ${sample.batch}) output ${j} '${graph.outputs[j].name}': ${problem}`);
      });
    });
    expect(failures).toEqual([]);
  });
});

describe('wasm module text', () => {
  it('a bias + relu kernel over a small graph', () => {
    const g = parseGraph(`graph @g(%x: f32[N,8], %b: f32[8]) -> (y: f32[N,8]) {
  %1 = fused(%x, %b) {name="add+relu"} : f32[N,8] {
    graph @kernel(%2: f32[N,8], %3: f32[8]) -> (r0: f32[N,8]) {
      %4 = add(%2, %3) : f32[N,8]
      %5 = relu(%4) : f32[N,8]
      return %5
    }
  }
  return %1
}`);
    const artifact = compileWasm(g, { text: true });
    expect(artifact.layout).toMatchSnapshot();
    expect(artifact.text).toMatchSnapshot();
  });
});
