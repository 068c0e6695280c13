/**
 * The relaxed-SIMD variant end to end: `tfc build` writes model.relaxed.wasm
 * beside model.wasm (both in the manifest); with relaxed SIMD enabled in this
 * process the runtime loads the relaxed module and matches the expected
 * outputs, and `{ relaxedSimd: false }` loads the plain one.
 */
import { setFlagsFromString } from 'node:v8';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCommand } from '../../driver/cli/build.js';
import { loadModel, type BundleManifest, type TensorLike } from '../../runtime/index.js';
import { listConformanceCases, loadSample, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';

// Node 20 has relaxed SIMD behind a flag; V8 reads wasm feature flags at compile
// time, so this must run before any module of this file is compiled.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const CASES = ['dense_mlp', 'mnist_cnn'];
const byName = (name: string): ConformanceCase => {
  const c = listConformanceCases().find((x) => x.suite === 'keras' && x.name === name);
  if (!c) throw new Error(`conformance case keras/${name} not found`);
  return c;
};

let tmp: string;
const bundleDir = (name: string): string => path.join(tmp, name);

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-relaxed-'));
  const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    for (const name of CASES) await buildCommand(byName(name).modelFile, { target: 'wasm', out: bundleDir(name) });
  } finally {
    quiet.mockRestore();
  }
}, 120_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('relaxed-SIMD bundles', () => {
  it.each(CASES)('%s: the bundle holds model.wasm and model.relaxed.wasm, both in the manifest', (name) => {
    const dir = bundleDir(name);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['model.wasm', 'model.relaxed.wasm']));
    expect(manifest.targets.wasm).toMatchObject({ file: 'model.wasm', relaxedFile: 'model.relaxed.wasm' });
    for (const file of ['model.wasm', 'model.relaxed.wasm']) {
      const bytes = readFileSync(path.join(dir, file));
      expect(manifest.files[file]).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    expect(readFileSync(path.join(dir, 'model.relaxed.wasm')).equals(readFileSync(path.join(dir, 'model.wasm')))).toBe(false);
  });

  it.each(CASES)('%s: the relaxed module is loaded where the engine has it and matches the expected outputs', async (name) => {
    const c = byName(name);
    const model = await loadModel(bundleDir(name));
    expect(model.summary()).toMatchObject({ wasmFile: 'model.relaxed.wasm', relaxedSimd: true });
    for (const sample of c.samples) {
      const { inputs, expected } = loadSample(sample);
      const outs = (await model.predict(inputs.map((t) => ({ data: t.data, shape: t.shape }) as TensorLike))) as TensorLike[];
      expected.forEach((e, j) => expect(compareTensors({ dtype: e.dtype, shape: [...outs[j].shape], data: outs[j].data }, e, c.tolerance), `output ${j}`).toBeNull());
    }
    model.dispose();
  });

  it.each(CASES)('%s: { relaxedSimd: false } loads the plain module', async (name) => {
    const model = await loadModel(bundleDir(name), { relaxedSimd: false });
    expect(model.summary()).toMatchObject({ wasmFile: 'model.wasm', relaxedSimd: false });
    model.dispose();
  });
});
