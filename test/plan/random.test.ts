import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { printGraph } from '../../compiler/ir/printer.js';
import { f32 } from '../../compiler/ir/tensor.js';
import { resolveShape } from '../../compiler/ir/types.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { checkPlan } from '../../compiler/plan/check.js';
import { planMemory } from '../../compiler/plan/plan.js';
import { runWithPlan } from './arena.js';
import { buildRandomGraph, recipeArb } from './random.js';

function inputsFor(g: Graph, batch: number): ReturnType<typeof f32>[] {
  return g.inputs.map((v, k) => {
    const shape = resolveShape(v.type.shape, batch);
    const n = shape.reduce((a, b) => a * b, 1);
    return f32(shape, Array.from({ length: n }, (_, i) => Math.cos(i * 0.9 + k) * 2));
  });
}

/** Problems with the plan of `g`, or with running `g` through its arena, as text (empty when sound). */
function planProblems(g: Graph): string[] {
  const plan = planMemory(g);
  const problems = checkPlan(g, plan, [1, 2, 5]);
  for (const batch of [1, 2]) {
    const inputs = inputsFor(g, batch);
    const want = interpret(g, inputs).map((t) => Array.from(t.data));
    const got = runWithPlan(g, plan, inputs).map((t) => Array.from(t.data));
    try {
      expect(got).toEqual(want);
    } catch {
      problems.push(`N=${batch}: running through the arena changes the outputs`);
    }
  }
  return problems.map((p) => `${p}\n${printGraph(g)}`);
}

describe('memory plans of random graphs', () => {
  it('are valid and compute what the interpreter computes, before and after the pipeline', () => {
    fc.assert(
      fc.property(recipeArb, (recipe) => {
        const g = buildRandomGraph(recipe);
        verifyGraph(g);
        expect(planProblems(g)).toEqual([]);
        const optimized = g.clone();
        runPasses(optimized, pipelinePasses(), { verifyEach: true });
        expect(planProblems(optimized)).toEqual([]);
      }),
      { numRuns: 300, seed: 20240611 },
    );
  });
});
