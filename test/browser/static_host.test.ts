/**
 * A bundle on a plain static web host: `tfc build` writes a bundle, which is
 * copied into a fresh folder beside a minimal index.html whose only script is
 * `<script type="module">` with `import { loadModel } from './model/index.js'`
 * (no npm, no bundler, no import map). The folder is served by a plain static
 * file server (examples/web/serve.mjs) under a sub-path, as on a real site, and
 * loaded in headless Chromium: every sample of the conformance case must match
 * its expected outputs within the case's tolerance, every request must stay in
 * the site's folder, and the runtime must come from the bundle's own copy.
 * A missing Chromium skips the suite with the reason (fails it under CI=true).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../examples/web/serve.mjs';
import { loadSample } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { tfc } from '../cli/tfc.js';
import { chromiumSkipReason, conformanceCase, launchChromium } from './chromium.js';

const CASE = conformanceCase('keras/dense_mlp');
/** Where the site is served: a sub-path, so nothing may assume the bundle sits at the host's root. */
const SITE_PATH = '/deploy/v1/';

/** The whole page a user would write: a module script importing the bundle's loader by a relative URL. */
const INDEX_HTML = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
  import { loadModel } from './model/index.js';
  const model = await loadModel({ backend: 'wasm' });
  window.predictSample = async (inputs) => {
    const outputs = await model.predict(inputs.map((t) => ({ data: Float32Array.from(t.data), shape: t.shape })));
    return outputs.map((t) => ({ shape: t.shape, data: Array.from(t.data) }));
  };
  document.body.dataset.state = 'ready';
</script>
<body></body>`;

let tmp: string;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (chromiumSkipReason) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-static-host-'));
  const built = path.join(tmp, 'built');
  const [launched, build] = await Promise.allSettled([
    launchChromium().then((b) => (browser = b)),
    tfc(['build', CASE.modelFile, '--target', 'wasm', '--out', built]),
  ]);
  if (launched.status === 'rejected') throw launched.reason;
  if (build.status === 'rejected') throw build.reason;
  if (build.value.code !== 0) throw new Error(`tfc build ${CASE.modelFile} failed: ${build.value.stderr}`);
  // The site as it would be uploaded: the page and a copy of the bundle folder, nothing else.
  const site = path.join(tmp, 'site');
  cpSync(built, path.join(site, 'model'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), INDEX_HTML);
  let url: string;
  ({ server, url } = await startServer({ [SITE_PATH]: site }));
  page = await launched.value.newPage();
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(new URL(SITE_PATH, url).href);
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 20_000 }).catch((e: Error) => {
    throw new Error(`${e.message}\npage errors: ${errors.join('\n') || 'none'}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

(chromiumSkipReason ? describe.skip : describe)(`a bundle on a static web host${chromiumSkipReason ? ` (skipped: ${chromiumSkipReason})` : ''}`, () => {
  it(`${CASE.suite}/${CASE.name}: a plain module script predicts the expected outputs of every sample`, async () => {
    for (const [k, sample] of CASE.samples.map(loadSample).entries()) {
      const inputs = sample.inputs.map((t) => ({ shape: t.shape, data: Array.from(t.data) }));
      const outputs = await page.evaluate<{ shape: number[]; data: number[] }[]>(`predictSample(${JSON.stringify(inputs)})`);
      expect(outputs.length, `sample ${k}`).toBe(sample.expected.length);
      outputs.forEach((out, j) => {
        const got = { dtype: 'f32' as const, shape: out.shape, data: Float32Array.from(out.data) };
        expect(compareTensors(got, sample.expected[j], CASE.tolerance), `sample ${k} output ${j}`).toBeNull();
      });
    }
    expect(errors).toEqual([]);
  });

  it("loads everything from the site's folder, the runtime from the bundle's own copy", () => {
    expect(requests.every((p) => p.startsWith(SITE_PATH)), requests.join(', ')).toBe(true);
    expect(requests).toContain(`${SITE_PATH}model/runtime.js`);
  });
});
