/**
 * One memory plan per build: compile() plans the optimized graph once and
 * hands that plan to the build report, every target and the bundle writer.
 *
 * How the calls are counted: `planMemory` is wrapped, through vitest's module
 * mock, in a spy that calls the real planner, so the build runs exactly as it
 * does in production and no counter lives in product code. (An ES module's
 * namespace is frozen, so `vi.spyOn` on it cannot work; `vi.mock` replaces the
 * module for every importer, `compiler/plan/index.ts`'s re-export included.)
 * Scan bodies have their own plans, made by the targets; only the top-level
 * graph, the one no other planned graph holds as a body, is counted.
 */
import { describe, expect, it, vi } from 'vitest';
import { compile } from '../../driver/compile.js';
import type { Graph } from '../../compiler/ir/graph.js';
import * as plan from '../../compiler/plan/plan.js';
import { kerasCaseDir } from '../helpers/conformance.js';
import path from 'node:path';

vi.mock('../../compiler/plan/plan.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../compiler/plan/plan.js')>();
  return { ...real, planMemory: vi.fn(real.planMemory) };
});

const planMemory = vi.mocked(plan.planMemory);

/** How often each graph given to planMemory that is nobody's body was planned. */
function topLevelPlanCounts(): number[] {
  const graphs = planMemory.mock.calls.map(([g]) => g);
  const bodies = new Set<Graph>(graphs.flatMap((g) => g.nodes.flatMap((n) => (n.body ? [n.body] : []))));
  const counts = new Map<Graph, number>();
  for (const g of graphs) if (!bodies.has(g)) counts.set(g, (counts.get(g) ?? 0) + 1);
  return [...counts.values()];
}

describe('one memory plan per build', () => {
  // pooling: no loops; gru: a scan, whose body the targets plan on their own.
  it.each(['pooling', 'gru'])('a wasm + webgpu build of %s plans its graph once', async (name) => {
    planMemory.mockClear();
    const bundle = await compile(path.join(kerasCaseDir(name), 'model.json'), { targets: ['wasm', 'webgpu'] });
    expect(Object.keys(bundle.manifest.targets).sort()).toEqual(['wasm', 'webgpu']);
    expect(topLevelPlanCounts()).toEqual([1]);
    // The report, the manifest and the summary read the same plan.
    expect(bundle.manifest.report.peak_bytes).toBe(bundle.summary.peakBytesAtBatch1);
  });
});
