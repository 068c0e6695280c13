/**
 * The conformance suite through the CLI: `tfc run model.json --input ...
 * --output ...` for every sample of every case (inputs and outputs in
 * case.json order), each written .npy checked against the expected one by the
 * tolerance rule. Runs are spawned in parallel up front; each case is a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConformanceCases, readTensor, reportMissingRealSuite, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { pool, tfc, type TfcResult } from './tfc.js';

const cases = listConformanceCases();

interface SampleRun {
  result: TfcResult;
  outputs: string[];
}

let tmp: string;
const runs = new Map<string, SampleRun[]>();

function outputFiles(c: ConformanceCase, k: number): string[] {
  return c.samples[k].expectedFiles.map((_, j) => path.join(tmp, `${c.suite}-${c.name}-${k}-${j}.npy`));
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-conformance-'));
  const jobs = cases.flatMap((c) =>
    c.samples.map((s, k) => async () => {
      const outputs = outputFiles(c, k);
      const args = ['run', c.modelFile, ...s.inputFiles.flatMap((f) => ['--input', f]), ...outputs.flatMap((f) => ['--output', f])];
      return { key: `${c.suite}/${c.name}`, run: { result: await tfc(args), outputs } };
    }),
  );
  for (const { key, run } of await pool(jobs, Math.max(2, os.availableParallelism()))) {
    runs.set(key, [...(runs.get(key) ?? []), run]);
  }
}, 300_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('conformance through `tfc run`', () => {
  reportMissingRealSuite();
  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', (key, c) => {
    const caseRuns = runs.get(key) ?? [];
    expect(caseRuns).toHaveLength(c.samples.length);
    caseRuns.forEach((run, k) => {
      expect(run.result.code, `sample ${k}: ${run.result.stderr}`).toBe(0);
      run.outputs.forEach((file, j) => {
        const mismatch = compareTensors(readTensor(file), readTensor(c.samples[k].expectedFiles[j]), c.tolerance);
        expect(mismatch, `sample ${k}, output ${j} (${c.outputNames?.[j] ?? j})`).toBeNull();
      });
    });
  });
});
