/**
 * vite-plugin-tfc in a real `vite build` of examples/vite-app (Vite's JS API,
 * the app's own vite.config.ts, into a temporary outDir and cacheDir): the
 * model's files are emitted as hashed assets, and dist/, served as plain
 * static files from 127.0.0.1, classifies the page's image in headless
 * Chromium with TF.js's probabilities (the example's classifier is the
 * conformance case mnist_cnn with its weights). A second build of the
 * unchanged app takes the compiled model from the disk cache: the compiler
 * does not run, and the assets are byte for byte the same.
 * A missing Chromium skips the suite with the reason (fails it under CI=true).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../examples/web/serve.mjs';
import { chromiumSkipReason, launchChromium } from '../browser/chromium.js';
import { compareTensors } from '../helpers/tolerance.js';
import { APP_DIR, argmax, recordingLogger, shownPrediction, shownTensor, tfjsPrediction, WEIGHTS_DIR } from './example_app.js';

let tmp: string;
let browser: Browser | undefined;
let server: Server | undefined;

/** Vite's warnings in every build of the example app (still printed). */
const warnings: string[] = [];

/** Builds the example app into `outDir` with the plugin's cache in `cacheDir`; returns Vite's info lines. */
async function buildApp(outDir: string, cacheDir: string): Promise<string[]> {
  const { logger, lines } = recordingLogger();
  await build({
    root: APP_DIR,
    configFile: path.join(APP_DIR, 'vite.config.ts'),
    cacheDir,
    customLogger: { ...logger, warn: (message, options) => (warnings.push(message), logger.warn(message, options)) },
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return lines;
}

const tfcLines = (lines: string[]): string[] => lines.filter((l) => l.startsWith('tfc: '));

let firstBuild: string[];
let dist: string;
let cache: string;

beforeAll(async () => {
  if (chromiumSkipReason) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-vite-build-'));
  dist = path.join(tmp, 'dist');
  cache = path.join(tmp, 'cache');
  // Chromium starts while the app builds; both settle before anything can fail, so afterAll closes what started.
  const [launched, built] = await Promise.allSettled([launchChromium().then((b) => (browser = b)), buildApp(dist, cache)]);
  if (launched.status === 'rejected') throw launched.reason;
  if (built.status === 'rejected') throw built.reason;
  firstBuild = built.value;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(chromiumSkipReason)('vite build of examples/vite-app', () => {
  it('compiles the model once and emits its files as hashed assets', () => {
    expect(tfcLines(firstBuild)).toEqual([expect.stringMatching(/^tfc: compiled src\/classifier\.model\.ts \(wasm, webgpu\) in \d+\.\d s$/)]);
    const assets = readdirSync(path.join(dist, 'assets'));
    for (const file of ['manifest', 'model', 'model.relaxed', 'weights', 'weights.webgpu']) {
      const ext = file.startsWith('weights') ? 'bin' : file === 'manifest' ? 'json' : 'wasm';
      expect(assets, file).toContainEqual(expect.stringMatching(new RegExp(`^digit_classifier\\.${file.replace('.', '\\.')}-[\\w-]{8}\\.${ext}$`)));
    }
    expect(assets).toContainEqual(expect.stringMatching(/^digit_classifier\.model-[\w-]{8}\.wgsl$/));
    // tfc-runtime's `browser` export names no node: module, so Vite has none to stub out.
    expect(warnings.filter((w) => w.includes('externalized for browser compatibility'))).toEqual([]);
  });

  it('serves dist/ as static files and classifies the image in Chromium as TF.js does', async () => {
    const started = await startServer({ '/': dist });
    server = started.server;
    const page = await browser!.newPage();
    const errors: string[] = [];
    const requested: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(started.url);
    const shown = await shownPrediction(page);
    expect(errors).toEqual([]);
    // The runtime fetched the bundle through the hashed asset URLs the module was given.
    expect(requested).toContainEqual(expect.stringMatching(/^\/assets\/digit_classifier\.manifest-[\w-]{8}\.json$/));
    expect(requested).toContainEqual(expect.stringMatching(/^\/assets\/digit_classifier\.weights(\.webgpu)?-[\w-]{8}\.bin$/));
    expect(shown.pixels.some((p) => p > 0.5), 'the page drew a digit').toBe(true);
    const expected = await tfjsPrediction(WEIGHTS_DIR, shown.pixels);
    expect(compareTensors(shownTensor(shown), expected)).toBeNull();
    expect(shown.topClass).toBe(String(argmax(expected)));
    await page.close();
  });

  it('takes the unchanged model from the disk cache on the next build', async () => {
    const again = path.join(tmp, 'dist-again');
    const lines = await buildApp(again, cache);
    expect(tfcLines(lines)).toEqual(['tfc: src/classifier.model.ts is unchanged: compiled model from the cache']);
    expect(readdirSync(path.join(again, 'assets')).sort()).toEqual(readdirSync(path.join(dist, 'assets')).sort());
  });
});
