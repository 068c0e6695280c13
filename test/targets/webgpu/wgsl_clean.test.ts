/**
 * Every WGSL module the target generates for the conformance models compiles
 * in Dawn with no message at all: no error, no warning. (The per-op tests
 * check the same for every graph they run.)
 */
import { expect, it } from 'vitest';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { loadKerasFile } from '../../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../../compiler/frontend/lower.js';
import { compileWebGpu } from '../../../targets/webgpu/index.js';
import { listConformanceCases, reportMissingRealSuite } from '../../helpers/conformance.js';
import { describeGpu, wgslMessages } from './check.js';

const cases = listConformanceCases();

describeGpu('WGSL of every conformance model compiles cleanly in Dawn', () => {
  reportMissingRealSuite();
  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', async (_key, c) => {
    const { graph } = lowerModel(await loadKerasFile(c.modelFile));
    optimizeGraph(graph, {});
    const artifact = compileWebGpu(graph);
    expect(artifact.layout.kernels.length).toBeGreaterThan(0);
    expect(await wgslMessages(artifact)).toEqual([]);
  }, 60_000);
});
