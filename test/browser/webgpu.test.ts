/**
 * The WebGPU browser check: bundles built with `tfc build --target
 * wasm,webgpu` run in headless Chromium with WebGPU on SwiftShader (the CPU),
 * loaded through the generated index.js with `{ backend: 'webgpu' }` and the
 * runtime copied into each bundle. Per sample, and on all samples stacked into one
 * batch, the browser's outputs must match the case's expected outputs; on the
 * stacked batch they must also match the Node result of `tfc predict
 * --backend webgpu` (Dawn; one process per case, as starting Dawn is slow),
 * both by the case's tolerance rule: two WebGPU implementations may round
 * differently.
 * A missing Chromium (outside CI=true) or a Chromium without a WebGPU
 * adapter skips the suite with the reason.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { writeNpy } from '../../compiler/io/npy.js';
import { startServer } from '../../examples/web/serve.mjs';
import { loadSample, readTensor, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { tfc } from '../cli/tfc.js';
import { bundleName, chromiumSkipReason, concatBatch, conformanceCase, launchChromium, PREDICT_PAGE, PredictPage, SWIFTSHADER_WEBGPU_ARGS } from './chromium.js';

/** A CNN (conv, pooling, dense, softmax) and an MLP. */
const CASES = ['keras/mnist_cnn', 'keras/dense_mlp'];
const WEBGPU = { backend: 'webgpu' };

/** One batch the test predicts: a conformance sample, or every sample stacked (which Node runs too). */
interface Run {
  tag: string;
  inputs: Tensor[];
  expected: Tensor[];
}

interface CaseRuns {
  runs: Run[];
  /** The stacked batch's input .npy files, and the outputs `tfc predict` writes for it. */
  stackedFiles: string[];
  nodeFiles: string[];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-browser-webgpu-'));
writeFileSync(path.join(tmp, 'index.html'), PREDICT_PAGE);
const { server, url } = await startServer({ '/': tmp });
const browser = chromiumSkipReason ? undefined : await launchChromium(SWIFTSHADER_WEBGPU_ARGS);
const page = browser && (await PredictPage.open(browser, url));
const noAdapter = page ? await page.webgpuMissing() : chromiumSkipReason;
if (page && noAdapter) console.warn(`test/browser/webgpu.test.ts skipped: Chromium has no WebGPU adapter (${noAdapter})`);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

function runsOf(c: ConformanceCase, key: string): CaseRuns {
  const dir = path.join(tmp, 'npy', bundleName(key));
  mkdirSync(dir, { recursive: true });
  const samples = c.samples.map((s, k) => ({ tag: `sample ${k}`, ...loadSample(s) }));
  const stacked = {
    tag: 'stacked',
    inputs: samples[0].inputs.map((_, i) => concatBatch(samples.map((s) => s.inputs[i]))),
    expected: samples[0].expected.map((_, j) => concatBatch(samples.map((s) => s.expected[j]))),
  };
  const stackedFiles = stacked.inputs.map((t, i) => {
    const file = path.join(dir, `stacked-input-${i}.npy`);
    writeFileSync(file, writeNpy(t));
    return file;
  });
  return { runs: [...samples, stacked], stackedFiles, nodeFiles: stacked.expected.map((_, j) => path.join(dir, `node-output-${j}.npy`)) };
}

const cases = new Map<string, CaseRuns>();

(noAdapter ? describe.skip : describe)(`webgpu bundles in headless Chromium${noAdapter ? ` (skipped: ${noAdapter})` : ''}`, () => {
  beforeAll(async () => {
    const builds = await Promise.all(
      CASES.map((key) => tfc(['build', conformanceCase(key).modelFile, '--target', 'wasm,webgpu', '--out', path.join(tmp, 'bundles', bundleName(key))])),
    );
    builds.forEach((b, i) => {
      if (b.code !== 0) throw new Error(`tfc build ${CASES[i]} --target wasm,webgpu failed: ${b.stderr}`);
    });
    for (const key of CASES) cases.set(key, runsOf(conformanceCase(key), key));
    // The Node side, as a user runs it, while the page compiles the bundles' pipelines.
    await Promise.all([
      ...CASES.map((key) => page!.load(bundleName(key), WEBGPU)),
      ...CASES.map(async (key) => {
        const { stackedFiles, nodeFiles } = cases.get(key)!;
        const io = [...stackedFiles.flatMap((f) => ['--input', f]), ...nodeFiles.flatMap((f) => ['--output', f])];
        const result = await tfc(['predict', path.join(tmp, 'bundles', bundleName(key)), '--backend', 'webgpu', ...io]);
        if (result.code !== 0) throw new Error(`tfc predict --backend webgpu (${key}) failed: ${result.stderr}`);
      }),
    ]);
  }, 240_000);

  it.each(CASES)('%s: the browser matches the expected outputs per sample and stacked, and `tfc predict --backend webgpu` stacked', async (key) => {
    const c = conformanceCase(key);
    const { runs, nodeFiles } = cases.get(key)!;
    expect(runs.at(-1)!.inputs[0].shape[0]).toBeGreaterThanOrEqual(3);
    for (const r of runs) {
      const { summary, outputs } = await page!.predict<{ backend: string }>(bundleName(key), r.inputs, WEBGPU);
      expect(summary.backend, r.tag).toBe('webgpu');
      expect(outputs.length, r.tag).toBe(r.expected.length);
      outputs.forEach((out, j) => {
        expect(compareTensors(out, r.expected[j], c.tolerance), `${r.tag} output ${j}: browser vs expected`).toBeNull();
        if (r.tag === 'stacked') expect(compareTensors(out, readTensor(nodeFiles[j]), c.tolerance), `stacked output ${j}: browser vs Node`).toBeNull();
      });
    }
    expect(page!.errors).toEqual([]);
  });
});
