/**
 * The built ES modules of tfc-runtime in headless Chromium: the browser build
 * (dist/index.browser.mjs, what bundlers take under the `browser` condition),
 * which names no node: module, and the universal one (dist/index.mjs, also the
 * copy a bundle carries). Each loads the `scale` bundle (y = 2.5 x) from a
 * file map as a bundler emits it: every file under a hashed name, given as a
 * URL relative to the page, a root-relative URL or a URL object. A file the
 * map lacks is one BundleError naming it. Needs `npm run build` first; a
 * missing Chromium skips the suite with the reason (fails it under CI=true).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../examples/web/serve.mjs';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import { repoRoot } from '../cli/tfc.js';
import { writeScaleBundle } from '../runtime/bundle_dir.js';

const RUNTIME_FILES = ['index.browser.mjs', 'index.mjs'];
const runtimeDist = path.join(repoRoot, 'packages/runtime/dist');

// Loads through a map whose manifest.json is a URL object and whose other files are relative strings; `drop` leaves one out.
const page = (runtimeFile: string): string => `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
  import { loadModel } from '/${runtimeFile}';
  window.loadAndPredict = async (names, drop) => {
    const files = { 'manifest.json': new URL(names['manifest.json'], location.href) };
    for (const [name, url] of Object.entries(names)) if (name !== 'manifest.json' && name !== drop) files[name] = url;
    try {
      const model = await loadModel({ files }, { backend: 'wasm' });
      const y = await model.predict({ data: Float32Array.of(1, 2, 3, -4), shape: [1, 4] });
      return { backend: model.summary().backend, shape: y.shape, data: Array.from(y.data) };
    } catch (e) {
      return { error: e.name, message: e.message };
    }
  };
</script>
`;

let tmp: string;
let server: Server | undefined;
let browser: Browser | undefined;
let pages: Record<string, Page>;
let base: string;
/** Each bundle file name to its hashed URL: model.wasm's relative to the root (`/assets/…`), the others' to the page (`../assets/…`). */
let names: Record<string, string>;

beforeAll(async () => {
  if (chromiumSkipReason) return;
  let dir: string;
  [browser, { tmp, dir }] = await Promise.all([launchChromium(), writeScaleBundle('tfc-runtime-browser-')]);
  mkdirSync(path.join(tmp, 'assets'));
  mkdirSync(path.join(tmp, 'app'));
  names = Object.fromEntries(
    readdirSync(dir).map((name, i) => {
      const hashed = `${i}c0ffee-${name}`;
      copyFileSync(path.join(dir, name), path.join(tmp, 'assets', hashed));
      return [name, name === 'model.wasm' ? `/assets/${hashed}` : `../assets/${hashed}`];
    }),
  );
  for (const file of RUNTIME_FILES) {
    copyFileSync(path.join(runtimeDist, file), path.join(tmp, file));
    writeFileSync(path.join(tmp, 'app', `${file}.html`), page(file));
  }
  let url: string;
  ({ server, url } = await startServer({ '/': tmp }));
  base = url;
  pages = {};
  for (const file of RUNTIME_FILES) {
    pages[file] = await browser.newPage();
    await pages[file].goto(`${base}app/${file}.html`);
    await pages[file].waitForFunction(() => 'loadAndPredict' in window);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const loadAndPredict = (runtimeFile: string, drop?: string): Promise<Record<string, unknown>> =>
  pages[runtimeFile].evaluate(([n, d]) => (window as unknown as { loadAndPredict: (n: unknown, d: unknown) => Promise<Record<string, unknown>> }).loadAndPredict(n, d), [
    names,
    drop,
  ] as const);

it('the browser build names no node: module; the universal one imports node: modules for Node', () => {
  expect(readFileSync(path.join(runtimeDist, 'index.browser.mjs'), 'utf8')).not.toMatch(/node:/);
  expect(readFileSync(path.join(runtimeDist, 'index.mjs'), 'utf8')).toMatch(/import\("node:fs\/promises"\)/);
});

const skipped = chromiumSkipReason ? ` (skipped: ${chromiumSkipReason})` : '';
(chromiumSkipReason ? describe.skip : describe).each(RUNTIME_FILES)(`tfc-runtime's %s in Chromium${skipped}`, (file) => {
  it('loads a bundle from a map of hashed, relative URLs and predicts', async () => {
    expect(await loadAndPredict(file)).toEqual({ backend: 'wasm', shape: [1, 4], data: [2.5, 5, 7.5, -10] });
  });

  it('names the file the map lacks in one BundleError', async () => {
    const manifestUrl = new URL(names['manifest.json'], `${base}app/`).href;
    expect(await loadAndPredict(file, 'weights.bin')).toEqual({
      error: 'BundleError',
      message: `bundle ${manifestUrl}: cannot read 'weights.bin' (the file map has no entry for it)`,
    });
  });
});
