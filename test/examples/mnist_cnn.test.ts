import path from 'node:path';
import { describe, expect, it } from 'vitest';
import mnistCnn from '../../examples/mnist_cnn/model.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { kerasCaseDir, listConformanceCases, loadSample } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';

describe('examples/mnist_cnn', () => {
  it('loads the conformance weights and reproduces the expected outputs', async () => {
    await mnistCnn.loadWeights(path.join(kerasCaseDir('mnist_cnn'), 'model.json'));
    const spec = mnistCnn.toSpec();
    expect(spec.inputs).toEqual([{ name: 'conv2d_input', dtype: 'f32', shape: ['N', 28, 28, 1] }]);
    const { graph } = lowerModel(spec);
    verifyGraph(graph);
    const kase = listConformanceCases().find((c) => c.suite === 'keras' && c.name === 'mnist_cnn');
    expect(kase).toBeDefined();
    for (const sample of kase!.samples) {
      const { inputs, expected } = loadSample(sample);
      const outputs = interpret(graph, inputs);
      expect(outputs).toHaveLength(expected.length);
      outputs.forEach((got, j) => expect(compareTensors(got, expected[j], kase!.tolerance)).toBeNull());
    }
  });
});
