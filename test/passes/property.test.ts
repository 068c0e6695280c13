/**
 * The pipeline preserves semantics: on random well-formed graphs (see
 * random_graph.ts) the reference interpreter gives the same outputs, within
 * the conformance tolerance rule, before and after the full pipeline, and
 * with each pass disabled in turn (correctness never depends on one
 * optimization). The IR is verified after every pass, and the full pipeline
 * must be deterministic (two runs print the same IR).
 *
 * The pass list is read from pipelinePasses(), so new passes are covered as
 * they land. Fixed seed by default; explore with
 *   TFC_PROPERTY_SEED=123 TFC_PROPERTY_RUNS=5000 npx vitest run test/passes/property.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { printGraph } from '../../compiler/ir/printer.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { compareTensors } from '../helpers/tolerance.js';
import { buildRandomGraph, graphRecipe, type GraphRecipe } from './random_graph.js';

const SEED = Number(process.env.TFC_PROPERTY_SEED ?? 20240611);
/** Random graphs through the full pipeline; each disabled-pass variant checks a quarter as many more. */
const RUNS = Number(process.env.TFC_PROPERTY_RUNS ?? 1000);
const VARIANT_RUNS = Math.max(1, Math.ceil(RUNS / 4));

function optimize(g: Graph, disabled: readonly string[], source: string): Graph {
  const out = g.clone();
  try {
    runPasses(out, pipelinePasses(), { verifyEach: true, disabled, log: () => {} });
  } catch (e) {
    throw new Error(`the pipeline failed: ${(e as Error).message}\n--- IR in ---\n${source}`, { cause: e });
  }
  return out;
}

/** Throws (with the IR before and after) when the optimized graph computes something else. */
function checkRecipe(recipe: GraphRecipe, disabled: readonly string[], checkDeterminism: boolean): void {
  const { graph, inputs } = buildRandomGraph(recipe);
  verifyGraph(graph);
  const source = printGraph(graph, { weights: true });
  const expected = interpret(graph, inputs);
  const optimized = optimize(graph, disabled, source);
  const after = printGraph(optimized, { weights: true });
  const got = interpret(optimized, inputs);
  graph.outputs.forEach((o, i) => {
    const problem = compareTensors(got[i], expected[i]);
    if (problem !== null) {
      throw new Error(
        `output '${o.name}' differs after the pipeline${disabled.length ? ` without ${disabled.join(', ')}` : ''}: ${problem}\n` +
          `--- IR in ---\n${source}--- IR out ---\n${after}`,
      );
    }
  });
  if (checkDeterminism) {
    const again = printGraph(optimize(graph, disabled, source), { weights: true });
    if (again !== after) throw new Error(`the pipeline is not deterministic\n--- IR in ---\n${source}--- first ---\n${after}--- second ---\n${again}`);
  }
}

describe('pipeline property: same outputs before and after', () => {
  it(`full pipeline (${RUNS} random graphs)`, { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(graphRecipe, (recipe) => checkRecipe(recipe, [], true)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  for (const pass of pipelinePasses()) {
    it(`without ${pass.name} (${VARIANT_RUNS} random graphs)`, { timeout: 120_000 }, () => {
      fc.assert(
        fc.property(graphRecipe, (recipe) => checkRecipe(recipe, [pass.name], false)),
        { seed: SEED + 1, numRuns: VARIANT_RUNS },
      );
    });
  }
});
