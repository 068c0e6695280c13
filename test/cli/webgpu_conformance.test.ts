/**
 * The conformance suite on the GPU through the CLI, as a user runs it: every
 * case is built with `tfc build --target webgpu` and every sample predicted
 * with `tfc predict --backend webgpu` (Dawn: a real GPU, or SwiftShader on the
 * CPU), each written .npy checked against the expected one by the case's
 * tolerance. Each case is a test. Without a WebGPU adapter the suite is
 * reported as skipped with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listConformanceCases, readTensor, reportMissingRealSuite, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { describeGpu } from '../targets/webgpu/check.js';
import { tfc } from './tfc.js';

const cases = listConformanceCases();
const caseKey = (c: ConformanceCase): string => `${c.suite}/${c.name}`;

/** Builds a case's bundle, then predicts each of its samples from it and checks the outputs. */
async function runCase(c: ConformanceCase, tmp: string): Promise<void> {
  const tag = `${c.suite}-${c.name}`;
  const bundle = path.join(tmp, tag);
  const build = await tfc(['build', c.modelFile, '--target', 'webgpu', '--out', bundle]);
  expect(build.code, `tfc build --target webgpu: ${build.stderr}`).toBe(0);
  for (const [k, s] of c.samples.entries()) {
    const outputs = s.expectedFiles.map((_, j) => path.join(tmp, `${tag}-${k}-${j}.npy`));
    const run = await tfc(['predict', bundle, '--backend', 'webgpu', ...s.inputFiles.flatMap((f) => ['--input', f]), ...outputs.flatMap((f) => ['--output', f])]);
    expect(run.code, `sample ${k}: ${run.stderr}`).toBe(0);
    outputs.forEach((file, j) => {
      const mismatch = compareTensors(readTensor(file), readTensor(s.expectedFiles[j]), c.tolerance);
      expect(mismatch, `sample ${k}, output ${j} (${c.outputNames?.[j] ?? j})`).toBeNull();
    });
  }
}

describeGpu('conformance through `tfc build --target webgpu` + `tfc predict --backend webgpu`', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-webgpu-conformance-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // One case at a time: SwiftShader runs each dispatch on every core already, and concurrent
  // processes made every case many times slower on a small machine.
  it.each(cases.map((c) => [caseKey(c), c] as const))('%s', async (_key, c) => runCase(c, tmp), 300_000);
  reportMissingRealSuite();
});
