/**
 * vite-plugin-tfc with plain Rollup (no Vite): an entry importing a TF.js
 * model.json with `?tfc` bundles into an ES module and the model's files as
 * hashed assets; that output, imported by Node with the tfc-runtime package,
 * predicts the conformance case's expected outputs (TF.js's). A second
 * Rollup build takes the model from the disk cache. No browser needed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Model, TensorLike } from 'tfc-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/tfc.js';
import { listConformanceCases, loadSample } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';

const CASE = listConformanceCases().find((c) => c.name === 'dense_mlp')!;

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-rollup-'));
  // The output imports tfc-runtime like an app's code would: from the repository's node_modules.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Bundles the case's model with test/vite/rollup_build.mjs into `out`; returns the plugin's log lines. */
async function bundle(out: string): Promise<string[]> {
  const script = path.join(repoRoot, 'test/vite/rollup_build.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [script, CASE.modelFile, out, path.join(tmp, 'cache')]);
  return stdout.split('\n').filter((l) => l.startsWith('[plugin tfc]'));
}

describe('vite-plugin-tfc with plain Rollup', () => {
  it('emits the model as hashed assets, and the output predicts TF.js\'s outputs in Node', async () => {
    const out = path.join(tmp, 'out');
    const logs = await bundle(out);
    expect(logs).toEqual([expect.stringMatching(/^\[plugin tfc\] tfc: compiled .*dense_mlp\/model\.json \(wasm\) in \d+\.\d s$/)]);
    const assets = readdirSync(path.join(out, 'assets'));
    for (const pattern of [/^dense_mlp\.manifest-\w+\.json$/, /^dense_mlp\.model-\w+\.wasm$/, /^dense_mlp\.weights-\w+\.bin$/]) {
      expect(assets).toContainEqual(expect.stringMatching(pattern));
    }
    const { default: compiled } = (await import(pathToFileURL(path.join(out, 'index.js')).href)) as { default: { loadModel(): Promise<Model> } };
    const model = await compiled.loadModel();
    for (const sample of CASE.samples) {
      const { inputs, expected } = loadSample(sample);
      const output = (await model.predict(inputs.map((t) => ({ data: t.data as Float32Array, shape: t.shape })))) as TensorLike[];
      output.forEach((y, i) => expect(compareTensors({ dtype: 'f32', shape: [...y.shape], data: y.data }, expected[i], CASE.tolerance)).toBeNull());
    }
  });

  it('takes the unchanged model from the disk cache on the next build', async () => {
    const logs = await bundle(path.join(tmp, 'out-again'));
    expect(logs).toEqual([expect.stringMatching(/^\[plugin tfc\] tfc: .*dense_mlp\/model\.json is unchanged: compiled model from the cache$/)]);
  });
});
