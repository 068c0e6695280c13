/**
 * vite-plugin-tfc in Vite's dev server, on a temporary copy of
 * examples/vite-app (beside a copy of the weights its classifier loads, at
 * the same relative path, and the repository's node_modules): the page shows
 * TF.js's prediction; editing the weight file recompiles the model and the
 * reloaded page shows the new prediction; a model module with a shape error
 * shows Vite's error overlay at the user's file:line:col; fixing it reloads
 * the page with a prediction again.
 * A missing Chromium skips the suite with the reason (fails it under CI=true).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/tfc.js';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import { compareTensors } from '../helpers/tolerance.js';
import { APP_DIR, argmax, shownPrediction, shownTensor, tfjsPrediction, WEIGHTS_DIR } from './example_app.js';

let tmp: string;
let app: string;
let weights: string;
let browser: Browser | undefined;
let server: ChildProcess | undefined;
let page: Page;
const pageErrors: string[] = [];
/** Everything the dev server printed. */
let serverLog = '';

/** Starts test/vite/dev_server.mjs on the app; resolves to its URL once it listens. */
function startDevServer(): Promise<string> {
  const script = path.join(repoRoot, 'test/vite/dev_server.mjs');
  const child = spawn(process.execPath, [script, app, path.join(tmp, 'cache'), tmp, repoRoot], { stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer): void => {
      serverLog += chunk.toString();
      const url = /^listening (\S+)$/m.exec(serverLog);
      if (url) resolve(url[1]);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => reject(new Error(`the dev server exited (${code}) before listening:\n${serverLog}`)));
  });
}

/** The copy of `file` (a path in the repository) in the temporary tree. */
const copyOf = (file: string): string => path.join(tmp, path.relative(repoRoot, file));

beforeAll(async () => {
  if (chromiumSkipReason) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-vite-dev-'));
  app = copyOf(APP_DIR);
  weights = copyOf(WEIGHTS_DIR);
  cpSync(APP_DIR, app, { recursive: true, filter: (f) => !['node_modules', 'dist'].includes(path.basename(f)) });
  mkdirSync(weights, { recursive: true });
  for (const f of ['model.json', 'weights.bin']) cpSync(path.join(WEIGHTS_DIR, f), path.join(weights, f));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  // Chromium starts while the server does; both settle before anything can fail, so afterAll closes what started.
  const [launched, started] = await Promise.allSettled([launchChromium().then((b) => (browser = b)), startDevServer()]);
  if (launched.status === 'rejected') throw launched.reason;
  if (started.status === 'rejected') throw started.reason;
  page = await launched.value.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Not waiting for 'load': the page's module graph loads only once the model has compiled.
  await page.goto(started.value, { waitUntil: 'commit' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill();
    await exited;
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Adds `delta` to one bias of the classifier's last Dense layer in the weight file, located through model.json's manifest. */
function addToOutputBias(digit: number, delta: number): void {
  const manifest = JSON.parse(readFileSync(path.join(weights, 'model.json'), 'utf8')) as {
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  let offset = 0;
  for (const w of manifest.weightsManifest.flatMap((g) => g.weights)) {
    if (w.name === 'dense_1/bias') break;
    offset += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  const file = path.join(weights, 'weights.bin');
  const bytes = readFileSync(file);
  bytes.writeFloatLE(bytes.readFloatLE(offset + 4 * digit) + delta, offset + 4 * digit);
  writeFileSync(file, bytes);
}

/** Waits until the page shows `digit` as the top class (after the reloads an edit causes). */
async function waitForTopClass(digit: number): Promise<void> {
  await page.waitForFunction((d) => document.getElementById('top-class')?.textContent === String(d), digit, { timeout: 40_000 });
}

describe.skipIf(chromiumSkipReason)('vite dev server with examples/vite-app', () => {
  let firstTop: number;

  it('compiles the model on the first request; the page shows TF.js\'s prediction', async () => {
    const shown = await shownPrediction(page, 60_000);
    expect(pageErrors).toEqual([]);
    const expected = await tfjsPrediction(weights, shown.pixels);
    expect(compareTensors(shownTensor(shown), expected)).toBeNull();
    firstTop = argmax(expected);
    expect(shown.topClass).toBe(String(firstTop));
    expect(serverLog).toMatch(/tfc: compiled src\/classifier\.model\.ts \(wasm, webgpu\)/);
  });

  it('recompiles when a weight file changes, and the reloaded page uses the new weights', async () => {
    const digit = (firstTop + 1) % 10;
    addToOutputBias(digit, 100);
    await waitForTopClass(digit);
    const shown = await shownPrediction(page);
    const expected = await tfjsPrediction(weights, shown.pixels);
    expect(compareTensors(shownTensor(shown), expected)).toBeNull();
    expect(argmax(expected)).toBe(digit);
  });

  it("shows a model error in Vite's overlay at the user's file:line:col, and recovers when it is fixed", async () => {
    const model = path.join(app, 'src/classifier.model.ts');
    const good = readFileSync(model, 'utf8');
    const lines = good.split('\n');
    const at = lines.findIndex((l) => l.includes('layers.flatten()')) + 1;
    const bad = '    layers.reshape({ targetShape: [7, 7] }),';
    writeFileSync(model, [...lines.slice(0, at), bad, ...lines.slice(at)].join('\n'));
    // V8 places a method call at its property name: line at + 1, the column of `reshape`.
    const where = `${model}:${at + 1}:${bad.indexOf('reshape') + 1}`;
    const overlay = await page.waitForFunction(() => document.querySelector('vite-error-overlay')?.shadowRoot?.textContent ?? '', undefined, { timeout: 40_000 });
    const text = (await overlay.jsonValue()) as string;
    expect(text).toContain(where);
    expect(text).toContain('cannot reshape');
    writeFileSync(model, good);
    const shown = await shownPrediction(page, 40_000);
    expect(compareTensors(shownTensor(shown), await tfjsPrediction(weights, shown.pixels))).toBeNull();
    expect(await page.$('vite-error-overlay')).toBeNull();
  });
});
