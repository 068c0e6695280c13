/**
 * Every composite op of the registry on both targets, against the reference
 * interpreter on special values: as a node of its own (the target expands its
 * decomposition while generating code, as for a scan body or an unoptimized
 * graph) and after the pipeline (decomposed in the IR, inside fused kernels).
 * The targets' rule tables hold only primitives, so this is what makes a new
 * composite activation run everywhere without a rule of its own.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/ir/graph.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { compileWasm } from '../../targets/wasm/index.js';
import { compareSpecial } from '../ops/special_values.js';
import { describeGpu } from '../targets/webgpu/check.js';
import { specialProblems } from '../targets/webgpu/special_check.js';
import { loadArtifact } from '../targets/wasm/run_wasm.js';
import { compositeCases, compositeGraph, compositeInputs } from './decompose_activations_cases.js';

function graphs(): [string, Graph][] {
  const optimized = compositeGraph(compositeCases());
  runPasses(optimized, pipelinePasses());
  return [
    ['as composite nodes', compositeGraph(compositeCases())],
    ['after the pipeline', optimized],
  ];
}

async function wasmProblems(g: Graph): Promise<string[]> {
  const loaded = await loadArtifact(compileWasm(g));
  const problems: string[] = [];
  for (const batch of [1, 3]) {
    const inputs = compositeInputs(batch);
    const want = interpret(g, inputs);
    const got = loaded.run(inputs);
    want.forEach((w, j) => {
      const why = compareSpecial(got[j], w);
      if (why) problems.push(`batch ${batch}, ${g.outputs[j].name}: ${why}`);
    });
  }
  return problems;
}

describe('composite activations on wasm', () => {
  it.each(graphs())('%s', async (_how, g) => {
    expect(await wasmProblems(g)).toEqual([]);
  });
});

describeGpu('composite activations on webgpu', () => {
  it.each(graphs())('%s', async (_how, g) => {
    expect(await specialProblems(g, compositeInputs, () => false)).toEqual([]);
  });
});
