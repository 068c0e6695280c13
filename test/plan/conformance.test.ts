/**
 * Memory plans of the conformance models (test/helpers/conformance.ts), as
 * imported and after the full pipeline: each plan is valid for several batch
 * sizes, and running each sample through the planned arena still matches
 * the expected outputs within the case's tolerance.
 */
import { describe, expect, it } from 'vitest';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { checkPlan } from '../../compiler/plan/check.js';
import { evalAffine } from '../../compiler/plan/affine.js';
import { planMemory } from '../../compiler/plan/plan.js';
import { listConformanceCases, loadSample, reportMissingRealSuite } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { runWithPlan } from './arena.js';

const cases = listConformanceCases();

describe('memory plans of the conformance models', () => {
  reportMissingRealSuite();
  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', async (_label, c) => {
    const spec = await loadKerasFile(c.modelFile);
    for (const optimize of [false, true]) {
      const { graph } = lowerModel(spec);
      if (optimize) runPasses(graph, pipelinePasses(), { verifyEach: true });
      const plan = planMemory(graph);
      expect(checkPlan(graph, plan, [1, 2, 7])).toEqual([]);
      expect(evalAffine(plan.arena, 1)).toBeGreaterThan(0);
      const failures: string[] = [];
      c.samples.forEach((sample, k) => {
        const { inputs, expected } = loadSample(sample);
        const got = runWithPlan(graph, plan, inputs);
        expected.forEach((want, j) => {
          const problem = compareTensors(got[j], want, c.tolerance);
          if (problem) failures.push(`${optimize ? 'optimized' : 'imported'}, sample ${k} output ${j}: ${problem}`);
        });
      });
      expect(failures).toEqual([]);
    }
  });
});
