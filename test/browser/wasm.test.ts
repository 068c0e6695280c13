/**
 * The browser check: bundles built with `tfc build --target wasm` are served
 * from 127.0.0.1 and run in headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core) through the generated index.js and the runtime
 * copied into each bundle (no import map). The
 * browser's outputs must equal the Node runtime's bit for bit (same module,
 * same inputs) and match the expected outputs within the case's tolerance,
 * at batch 1 and on all samples stacked into one batch. The web example
 * (examples/web) is loaded the same way and must show a prediction.
 * A missing Chromium skips the suite with the reason (fails it under CI=true).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { startServer } from '../../examples/web/serve.mjs';
import { loadModel } from '../../runtime/index.js';
import { availableCaseKeys, loadSample, reportMissingRealSuite } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { repoRoot, tfc } from '../cli/tfc.js';
import { bundleName, chromiumSkipReason, concatBatch, conformanceCase as byKey, launchChromium, PREDICT_PAGE, PredictPage } from './chromium.js';

const CASES = availableCaseKeys(['keras/dense_mlp', 'real/abalone-mlp']);
const EXAMPLE_DIR = path.join(repoRoot, 'examples/web');

let tmp: string;
let server: Server | undefined;
let baseUrl: string;
let browser: Browser | undefined;
let page: PredictPage;

beforeAll(async () => {
  if (chromiumSkipReason) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-browser-'));
  // Chromium starts while the bundles build; both settle before anything can fail, so afterAll closes what started.
  const [launched, ...builds] = await Promise.allSettled([
    launchChromium().then((b) => (browser = b)),
    ...CASES.map((key) => tfc(['build', byKey(key).modelFile, '--target', 'wasm', '--out', path.join(tmp, 'bundles', bundleName(key))])),
  ]);
  if (launched.status === 'rejected') throw launched.reason;
  builds.forEach((b, i) => {
    if (b.status === 'rejected') throw b.reason;
    if (b.value.code !== 0) throw new Error(`tfc build ${CASES[i]} failed: ${b.value.stderr}`);
  });
  writeFileSync(path.join(tmp, 'index.html'), PREDICT_PAGE);
  // The web example with the first bundle as its model, served as a user would after `tfc build --out examples/web/model`.
  const example = path.join(tmp, 'example');
  mkdirSync(example);
  for (const f of ['index.html', 'main.js', 'style.css']) cpSync(path.join(EXAMPLE_DIR, f), path.join(example, f));
  cpSync(path.join(tmp, 'bundles', bundleName(CASES[0])), path.join(example, 'model'), { recursive: true });
  ({ server, url: baseUrl } = await startServer({ '/': tmp }));
  page = await PredictPage.open(launched.value, baseUrl);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Predicts in the page with the relaxed-SIMD module allowed or not; says which module the runtime chose. */
async function predictInBrowser(key: string, inputs: Tensor[], relaxedSimd: boolean): Promise<{ relaxed: boolean; outputs: Tensor[] }> {
  const { summary, outputs } = await page.predict<{ relaxedSimd: boolean }>(bundleName(key), inputs, { relaxedSimd });
  return { relaxed: summary.relaxedSimd, outputs };
}

(chromiumSkipReason ? describe.skip : describe)(`wasm bundles in headless Chromium${chromiumSkipReason ? ` (skipped: ${chromiumSkipReason})` : ''}`, () => {
  reportMissingRealSuite();
  it.each(CASES)('%s: the browser equals the Node runtime and matches the expected outputs, per sample and stacked', async (key) => {
    const c = byKey(key);
    // The plain module computes identically everywhere; the relaxed one (fused multiply-add) may round differently.
    const node = await loadModel(path.join(tmp, 'bundles', bundleName(key)), { relaxedSimd: false });
    const samples = c.samples.map(loadSample);
    const stacked = { inputs: samples[0].inputs.map((_, i) => concatBatch(samples.map((s) => s.inputs[i]))), expected: samples[0].expected.map((_, j) => concatBatch(samples.map((s) => s.expected[j]))) };
    expect(stacked.inputs[0].shape[0]).toBeGreaterThanOrEqual(3);
    for (const [tag, s] of [...samples.map((s, k) => [`sample ${k}`, s] as const), ['stacked', stacked] as const]) {
      const plain = await predictInBrowser(key, s.inputs, false);
      const relaxed = await predictInBrowser(key, s.inputs, true);
      // Chromium has relaxed SIMD, so the runtime picks model.relaxed.wasm unless told not to.
      expect([plain.relaxed, relaxed.relaxed], tag).toEqual([false, true]);
      const inNode = (await node.predict(s.inputs.map((t) => ({ data: t.data as Float32Array, shape: t.shape })))) as { data: Float32Array; shape: number[] }[];
      expect(plain.outputs.length, tag).toBe(s.expected.length);
      plain.outputs.forEach((out, j) => {
        expect(out.shape, `${tag} output ${j} shape`).toEqual(inNode[j].shape);
        expect(out.data, `${tag} output ${j}: browser vs Node`).toEqual(inNode[j].data);
        expect(compareTensors(out, s.expected[j], c.tolerance), `${tag} output ${j} vs expected`).toBeNull();
        expect(compareTensors(relaxed.outputs[j], s.expected[j], c.tolerance), `${tag} output ${j} (relaxed SIMD) vs expected`).toBeNull();
      });
    }
    expect(page.errors).toEqual([]);
  });

  it('the web example loads its bundle and shows a prediction', async () => {
    const example = await browser!.newPage();
    const errors: string[] = [];
    example.on('pageerror', (e) => errors.push(e.message));
    await example.goto(new URL('example/', baseUrl).href);
    await example.waitForSelector('body[data-state]', { state: 'attached', timeout: 20_000 });
    expect(await example.getAttribute('body', 'data-state'), await example.textContent('#status') ?? '').toBe('ready');
    expect(await example.textContent('#model-name')).toBe(`Model '${byKey(CASES[0]).name}'`);
    // dense_mlp ends in a 10-way softmax: ten rows, one per class.
    expect(await example.locator('#output-list .row').count()).toBe(10);
    expect(errors).toEqual([]);
    await example.close();
  });
});
