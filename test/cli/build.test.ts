/**
 * `tfc build --target wasm` + `tfc predict` end to end, as a user runs them:
 * MLP conformance cases built once and predicted from the same bundle on each
 * sample and on all samples stacked into one batch, against the expected
 * outputs; the build is deterministic and
 * prints its summary; an unsupported model and a damaged bundle each fail
 * with one line and leave nothing behind.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { f32 } from '../../compiler/ir/tensor.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { listConformanceCases, loadSample, readTensor, reportMissingRealSuite, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { pool, repoRoot, tfc, type TfcResult } from './tfc.js';


const all = listConformanceCases();
/** Every conformance model goes through `tfc build` + `tfc predict`; the first is also used by the error tests. */
const CASES = ['keras/dense_mlp', ...all.map((c) => `${c.suite}/${c.name}`).filter((k) => k !== 'keras/dense_mlp')];
const byKey = (key: string): ConformanceCase => {
  const c = all.find((x) => `${x.suite}/${x.name}` === key);
  if (!c) throw new Error(`conformance case ${key} not found`);
  return c;
};

let tmp: string;
const builds = new Map<string, TfcResult>();
const bundleDir = (key: string): string => path.join(tmp, key.replace('/', '-'));

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-build-'));
  const results = await pool(
    CASES.map((key) => () => tfc(['build', byKey(key).modelFile, '--target', 'wasm', '--out', bundleDir(key)])),
    2,
  );
  CASES.forEach((key, i) => builds.set(key, results[i]));
}, 900_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Tensors joined along the batch (first) axis. */
function concatBatch(parts: Tensor[]): Tensor {
  const data = parts[0].dtype === 'i32' ? new Int32Array(parts.reduce((n, p) => n + p.data.length, 0)) : new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { dtype: parts[0].dtype, shape: [parts.reduce((n, p) => n + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

describe('tfc build + tfc predict', () => {
  reportMissingRealSuite();
  /** Runs `tfc predict` on the bundle of `key` and checks each output against `expected` by the case's tolerance. */
  async function predictAndCompare(key: string, inputs: string[], expected: Tensor[], tag: string): Promise<void> {
    const outs = expected.map((_, j) => path.join(tmp, `${key.replace('/', '-')}-${tag}-${j}.npy`));
    const run = await tfc(['predict', bundleDir(key), ...inputs.flatMap((f) => ['--input', f]), ...outs.flatMap((f) => ['--output', f])]);
    expect(run.code, `${tag}: ${run.stderr}`).toBe(0);
    outs.forEach((file, j) => expect(compareTensors(readTensor(file), expected[j], byKey(key).tolerance), `${tag} output ${j}`).toBeNull());
  }

  it.each(CASES)('%s matches the expected outputs of every sample, one at a time and all in one batch', async (key) => {
    const build = builds.get(key) as TfcResult;
    expect(build.code, build.stderr).toBe(0);
    const c = byKey(key);
    for (const [k, s] of c.samples.entries()) await predictAndCompare(key, s.inputFiles, s.expectedFiles.map(readTensor), `sample-${k}`);
    // Every sample stacked into one batch (3 rows or more): the same bundle at a larger batch size.
    const samples = c.samples.map(loadSample);
    const stacked = (pick: (s: { inputs: Tensor[]; expected: Tensor[] }) => Tensor[], j: number): Tensor => concatBatch(samples.map((s) => pick(s)[j]));
    const inputFiles = samples[0].inputs.map((_, i) => {
      const file = path.join(tmp, `${key.replace('/', '-')}-stacked-input-${i}.npy`);
      writeFileSync(file, writeNpy(stacked((s) => s.inputs, i)));
      return file;
    });
    const expected = samples[0].expected.map((_, j) => stacked((s) => s.expected, j));
    expect(expected[0].shape[0]).toBeGreaterThanOrEqual(3);
    await predictAndCompare(key, inputFiles, expected, 'stacked');
  });

  it('prints a summary: kernels, planned peak memory, the target\'s code and weight bytes', () => {
    const out = (builds.get(CASES[0]) as TfcResult).stdout;
    expect(out).toContain(`built ${bundleDir(CASES[0])} (model 'dense_mlp', target wasm)\n`);
    for (const row of ['kernels', 'peak memory']) expect(out).toMatch(new RegExp(`^  ${row} +\\d+`, 'm'));
    const manifest = JSON.parse(readFileSync(path.join(bundleDir(CASES[0]), 'manifest.json'), 'utf8')) as { files: Record<string, { bytes: number }> };
    const { bytes: code } = manifest.files['model.wasm'];
    const { bytes: weights } = manifest.files['weights.bin'];
    expect(out).toMatch(new RegExp(`^  wasm +code bytes ${code}, weight bytes ${weights}\\n`, 'm'));
    expect(out).not.toContain('webgpu');
  });

  it('writes byte-identical bundles for the same model', async () => {
    const key = CASES[0];
    const again = path.join(tmp, 'again');
    const run = await tfc(['build', byKey(key).modelFile, '--out', again]);
    expect(run.code, run.stderr).toBe(0);
    const names = readdirSync(again).sort();
    expect(names).toEqual(['index.d.ts', 'index.js', 'manifest.json', 'model.relaxed.wasm', 'model.wasm', 'package.json', 'runtime.d.ts', 'runtime.js', 'weights.bin']);
    for (const name of names) {
      expect(readFileSync(path.join(again, name)).equals(readFileSync(path.join(bundleDir(key), name))), name).toBe(true);
    }
  });
});

describe('tfc build and predict errors', () => {
  it('refuses a model with an unsupported op in one line and writes nothing', async () => {
    // Softmax over a non-last axis has no wasm kernel yet; when it gets one, pick another unsupported construct.
    const modelDir = path.join(tmp, 'softmax-axis');
    mkdirSync(modelDir);
    writeFileSync(path.join(modelDir, 'package.json'), '{"type": "module"}\n');
    const dsl = pathToFileURL(path.join(repoRoot, 'compiler/frontend/dsl/index.ts')).href;
    writeFileSync(
      path.join(modelDir, 'model.ts'),
      `import { layers, sequential } from '${dsl}';\n` +
        `export default sequential([layers.softmax({ axis: 1, inputShape: [4, 5] })]);\n`,
    );
    const out = path.join(tmp, 'unsupported');
    const run = await tfc(['build', path.join(modelDir, 'model.ts'), '--target', 'wasm', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: .*model\.ts: the wasm target supports 'softmax' over the last axis only, got axis 1 .*\n$/);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.includes('.tfc-'))).toEqual([]);
  });

  it('refuses an unknown target', async () => {
    const run = await tfc(['build', byKey(CASES[0]).modelFile, '--target', 'wasm,gpu', '--out', path.join(tmp, 'gpu')]);
    expect(run.stderr).toBe("tfc: error: unknown --target 'gpu' (targets: wasm, webgpu)\n");
  });

  it('predict on a damaged bundle fails at load in one line', async () => {
    const damaged = path.join(tmp, 'damaged');
    cpSync(bundleDir(CASES[0]), damaged, { recursive: true });
    const weights = path.join(damaged, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[7] ^= 1;
    writeFileSync(weights, bytes);
    const c = byKey(CASES[0]);
    const out = path.join(tmp, 'damaged.npy');
    const run = await tfc(['predict', damaged, '--input', c.samples[0].inputFiles[0], '--output', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: bundle .*damaged: 'weights\.bin' is corrupt: its SHA-256 is [0-9a-f]+, the manifest says [0-9a-f]+\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('predict with inputs that do not fit names the signature', async () => {
    const wrong = path.join(tmp, 'wrong.npy');
    // dense_mlp's input is wider than 1 feature: a [2,1] float32 array cannot fit.
    writeFileSync(wrong, writeNpy(f32([2, 1], [0.5, 0.25])));
    const run = await tfc(['predict', bundleDir(CASES[0]), '--input', wrong, '--output', path.join(tmp, 'never.npy')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: input 0 '.+' has shape \[2,1\], expected \[N,\d+\]; the model's signature is \(.+\) -> \(.+\)\n$/);
    expect(existsSync(path.join(tmp, 'never.npy'))).toBe(false);
  });

  it('predict needs one --output per model output', async () => {
    const c = byKey(CASES[0]);
    const run = await tfc(['predict', bundleDir(CASES[0]), '--input', c.samples[0].inputFiles[0]]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: bundle .* has 1 output\(s\) \(dense_3\); give one --output file for each/);
  });
});
