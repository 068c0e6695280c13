/**
 * `tfc build --target wasm,webgpu` and `tfc predict --backend ...` as a user
 * runs them: one bundle with both targets (files, summary rows, the same
 * bytes on a rebuild), predicted on the wasm backend everywhere and on the
 * webgpu backend (and by 'auto') where a WebGPU adapter exists; the backend
 * and target errors are one line each and write nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConformanceCases, readTensor, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { describeGpu } from '../targets/webgpu/check.js';
import { repoRoot, tfc, type TfcResult } from './tfc.js';

const c: ConformanceCase = (() => {
  const found = listConformanceCases().find((x) => x.suite === 'keras' && x.name === 'dense_mlp');
  if (!found) throw new Error('conformance case keras/dense_mlp not found');
  return found;
})();

let tmp: string;
let both: string;
let wasmOnly: string;
let built: TfcResult;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-targets-'));
  both = path.join(tmp, 'both');
  wasmOnly = path.join(tmp, 'wasm');
  [built] = await Promise.all([
    tfc(['build', c.modelFile, '--target', 'wasm,webgpu', '--out', both]),
    tfc(['build', c.modelFile, '--out', wasmOnly]),
  ]);
}, 300_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Predicts every sample of the case from `dir` with `backend`; checks each output by the case's tolerance. */
async function expectSamples(dir: string, backend: string): Promise<void> {
  for (const [k, s] of c.samples.entries()) {
    const outs = s.expectedFiles.map((_, j) => path.join(tmp, `${path.basename(dir)}-${backend}-${k}-${j}.npy`));
    const run = await tfc(['predict', dir, '--backend', backend, ...s.inputFiles.flatMap((f) => ['--input', f]), ...outs.flatMap((f) => ['--output', f])]);
    expect(run.code, `sample ${k}: ${run.stderr}`).toBe(0);
    outs.forEach((file, j) => expect(compareTensors(readTensor(file), readTensor(s.expectedFiles[j]), c.tolerance), `sample ${k} output ${j}`).toBeNull());
  }
}

describe('tfc build --target wasm,webgpu', () => {
  it('writes both targets into one bundle and prints a row for each', () => {
    expect(built.code, built.stderr).toBe(0);
    expect(readdirSync(both).sort()).toEqual([
      'index.d.ts',
      'index.js',
      'manifest.json',
      'model.relaxed.wasm',
      'model.wasm',
      'model.wgsl',
      'package.json',
      'runtime.d.ts',
      'runtime.js',
      'weights.bin',
      'weights.webgpu.bin',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(both, 'manifest.json'), 'utf8')) as {
      formatVersion: number;
      targets: { webgpu: { kernels: unknown[]; dispatches: unknown[] } };
      files: Record<string, { bytes: number }>;
    };
    expect(manifest.formatVersion).toBe(3);
    const bytes = (name: string): number => manifest.files[name].bytes;
    const { kernels, dispatches } = manifest.targets.webgpu;
    expect(built.stdout).toContain(`built ${both} (model 'dense_mlp', targets wasm, webgpu)\n`);
    expect(built.stdout).toMatch(new RegExp(`^  wasm +code bytes ${bytes('model.wasm')}, weight bytes ${bytes('weights.bin')}\\n`, 'm'));
    expect(built.stdout).toMatch(
      new RegExp(`^  webgpu +code bytes ${bytes('model.wgsl')}, weight bytes ${bytes('weights.webgpu.bin')}, ${kernels.length} shader modules / ${dispatches.length} dispatches\\n`, 'm'),
    );
  });

  it('gives byte-identical files when built again', async () => {
    const again = path.join(tmp, 'again');
    const run = await tfc(['build', c.modelFile, '--target', 'webgpu,wasm', '--out', again]);
    expect(run.code, run.stderr).toBe(0);
    for (const name of readdirSync(both)) expect(readFileSync(path.join(again, name)).equals(readFileSync(path.join(both, name))), name).toBe(true);
  });

  it('predicts the expected outputs with --backend wasm', async () => {
    await expectSamples(both, 'wasm');
  });

  it('refuses a model a requested target cannot compile, naming the op, node and target, and writes nothing', async () => {
    const modelDir = path.join(tmp, 'softmax-axis');
    mkdirSync(modelDir);
    writeFileSync(path.join(modelDir, 'package.json'), '{"type": "module"}\n');
    const dsl = pathToFileURL(path.join(repoRoot, 'compiler/frontend/dsl/index.ts')).href;
    writeFileSync(path.join(modelDir, 'model.ts'), `import { layers, sequential } from '${dsl}';\nexport default sequential([layers.softmax({ axis: 1, inputShape: [4, 5] })]);\n`);
    const out = path.join(tmp, 'unsupported');
    const run = await tfc(['build', path.join(modelDir, 'model.ts'), '--target', 'wasm,webgpu', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: .*model\.ts: .*'softmax'.* \(target wasm, node \d+ of the optimized graph, result f32\[N,4,5\]\)\n$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('tfc predict --backend errors', () => {
  it('webgpu on a bundle without a webgpu target says how to rebuild it', async () => {
    const out = path.join(tmp, 'never.npy');
    const run = await tfc(['predict', wasmOnly, '--backend', 'webgpu', '--input', c.samples[0].inputFiles[0], '--output', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: bundle .*wasm has no webgpu target \(rebuild it with `tfc build --target webgpu`, or --target wasm,webgpu for both\)\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown backend', async () => {
    const run = await tfc(['predict', wasmOnly, '--backend', 'webgl', '--input', c.samples[0].inputFiles[0], '--output', path.join(tmp, 'never.npy')]);
    expect(run.stderr).toBe("tfc: error: unknown --backend 'webgl' (backends: auto, wasm, webgpu)\n");
  });
});

describeGpu('tfc predict on the webgpu backend', () => {
  it('--backend webgpu predicts the expected outputs', async () => {
    await expectSamples(both, 'webgpu');
  });

  it('--backend auto picks webgpu for a bundle that has it and matches too', async () => {
    await expectSamples(both, 'auto');
  });

  it('tfc inspect on the bundle lists the code bytes of both targets', async () => {
    const run = await tfc(['inspect', both]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^model dense_mlp \(bundle format 3, targets: wasm, webgpu\)\ncode bytes \(wasm\)\s+[\d,]+\ncode bytes \(webgpu\)\s+[\d,]+\n/);
  });
});
