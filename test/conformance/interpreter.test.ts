/**
 * The conformance suite through the reference interpreter: every case of
 * the conformance suite (keras/ in the repository, real/ when
 * ../shared/conformance/real exists) is imported from its model.json,
 * lowered, and run on each sample; every output must match the expected one
 * within the case's tolerance.
 */
import { describe, expect, it } from 'vitest';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { listConformanceCases, loadSample, realSuiteDir, reportMissingRealSuite } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';

const cases = listConformanceCases();

describe('conformance through the interpreter', () => {
  it('finds the whole suite', () => {
    expect(cases.filter((c) => c.suite === 'keras').length).toBeGreaterThanOrEqual(17);
    if (realSuiteDir) expect(cases.filter((c) => c.suite === 'real').length).toBeGreaterThanOrEqual(4);
  });
  reportMissingRealSuite();

  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', async (_label, c) => {
    const spec = await loadKerasFile(c.modelFile);
    const { graph } = lowerModel(spec);
    verifyGraph(graph);
    if (c.outputNames) expect(graph.outputs.map((o) => o.name)).toEqual(c.outputNames);
    const failures: string[] = [];
    c.samples.forEach((sample, k) => {
      const { inputs, expected } = loadSample(sample);
      const got = interpret(graph, inputs);
      expect(got.length).toBe(expected.length);
      expected.forEach((want, j) => {
        const problem = compareTensors(got[j], want, c.tolerance);
        if (problem) failures.push(`sample ${k} output ${j} '${graph.outputs[j].name}': ${problem}`);
      });
    });
    expect(failures).toEqual([]);
  });
});
