/**
 * `tfc predict` says on stderr exactly one thing: which backend ran (and, for
 * webgpu, the adapter) on success, or one `tfc: error:` line on failure. The
 * Vulkan loader's, Mesa's and Dawn's own diagnostics (written by native code
 * to fd 2) are kept out unless --verbose asks for them. Runs with
 * XDG_RUNTIME_DIR unset (Mesa complains without it) and a private TMPDIR, to
 * check that the folder tfc makes for it is gone afterwards. The webgpu cases
 * are skipped, with the reason, without a WebGPU adapter.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { listConformanceCases, readTensor, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { describeGpu } from '../targets/webgpu/check.js';
import { repoRoot, tfc, type TfcResult } from './tfc.js';

const c: ConformanceCase = (() => {
  const found = listConformanceCases().find((x) => x.suite === 'keras' && x.name === 'dense_mlp');
  if (!found) throw new Error('conformance case keras/dense_mlp not found');
  return found;
})();
const sample = c.samples[0];

let tmp: string;
let privateTmp: string;
let bundle: string;
let wrongShape: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-quiet-'));
  privateTmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-quiet-tmpdir-'));
  bundle = path.join(tmp, 'bundle');
  wrongShape = path.join(tmp, 'wrong_shape.npy');
  writeFileSync(wrongShape, writeNpy({ dtype: 'f32', shape: [2, 3], data: new Float32Array(6) }));
  const built = await tfc(['build', c.modelFile, '--target', 'wasm,webgpu', '--out', bundle]);
  expect(built.code, built.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  for (const dir of [tmp, privateTmp]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `tfc predict` with XDG_RUNTIME_DIR unset and TMPDIR pointing at a private, empty folder. */
function predict(args: string[]): Promise<TfcResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: privateTmp };
  delete env.XDG_RUNTIME_DIR;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'packages/compiler/bin/tfc.js'), 'predict', bundle, ...args], { cwd: repoRoot, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** How `file` differs from the sample's expected output (null: within the tolerance). */
function mismatch(file: string): string | null {
  return compareTensors(readTensor(file), readTensor(sample.expectedFiles[0]), c.tolerance);
}

describe('tfc predict on wasm', () => {
  it('prints one line naming the backend and the module', async () => {
    const out = path.join(tmp, 'wasm.npy');
    const run = await predict(['--backend', 'wasm', '--input', sample.inputFiles[0], '--output', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^tfc: predicted with wasm \(model(\.relaxed)?\.wasm\)\n$/);
    expect(mismatch(out)).toBeNull();
  });
});

describeGpu('tfc predict on webgpu, without the drivers\' noise', () => {
  it('--backend webgpu prints only the line naming the backend and the adapter, and leaves no temporary folder', async () => {
    const out = path.join(tmp, 'webgpu.npy');
    const run = await predict(['--backend', 'webgpu', '--input', sample.inputFiles[0], '--output', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^tfc: predicted with webgpu \(\S.*\)\n$/);
    expect(mismatch(out)).toBeNull();
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('--backend auto on a bundle with a webgpu target runs webgpu, with the same single line', async () => {
    const out = path.join(tmp, 'auto.npy');
    const run = await predict(['--input', sample.inputFiles[0], '--output', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^tfc: predicted with webgpu \(\S.*\)\n$/);
    expect(mismatch(out)).toBeNull();
  });

  it('an input of the wrong shape is exactly one `tfc: error:` line', async () => {
    const out = path.join(tmp, 'never.npy');
    const run = await predict(['--backend', 'webgpu', '--input', wrongShape, '--output', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tfc: error: input 0 '.+' has shape \[2,3\], expected \[N,16\]; [^\n]*\n$/);
    expect(readdirSync(tmp)).not.toContain('never.npy');
  });

  it('--verbose still ends with the backend line (the drivers\' diagnostics, if any, come before it)', async () => {
    const out = path.join(tmp, 'verbose.npy');
    const run = await predict(['--backend', 'webgpu', '--input', sample.inputFiles[0], '--output', out, '--verbose']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/(^|\n)tfc: predicted with webgpu \(\S.*\)\n$/);
  });
});
