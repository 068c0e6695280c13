/**
 * Hostile files through the `tfc` command (issue #9, defects 2 and 3): a
 * model.json naming a file outside its folder, inputs and bundle files that
 * are FIFOs or devices, and a DSL model with a 40 GB layer. Each must end
 * with exit code 1 and one `tfc: error:` line, quickly, writing nothing;
 * summary and inspect of the huge model must succeed without its weights.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layers, sequential } from '../../compiler/frontend/dsl/index.js';
import { writeNpy } from '../../compiler/io/npy.js';
import { writeScaleBundle } from '../runtime/bundle_dir.js';
import { repoRoot, tfc, type TfcResult } from './tfc.js';

let tmp: string;
let model: string;
let input: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-files-'));
  model = await sequential([layers.dense({ units: 2, inputShape: [3] })]).save(path.join(tmp, 'model'));
  input = path.join(tmp, 'x.npy');
  writeFileSync(input, writeNpy({ dtype: 'f32', shape: [1, 3], data: Float32Array.of(1, 2, 3) }));
  // A user's project with tfc installed, for the DSL model below.
  writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(path.join(tmp, 'node_modules'));
  symlinkSync(path.join(repoRoot, 'packages/compiler'), path.join(tmp, 'node_modules/tfc-compiler'), 'dir');
  writeFileSync(
    path.join(tmp, 'huge.ts'),
    "import { layers, sequential } from 'tfc-compiler/dsl';\nexport default sequential([layers.dense({ units: 100000, inputShape: [100000] })]);\n",
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs tfc, which must fail within `seconds` with exactly one error line containing each of `parts`. */
async function fails(args: string[], parts: string[], seconds = 20): Promise<void> {
  const started = Date.now();
  const r: TfcResult = await tfc(args, tmp);
  expect(Date.now() - started).toBeLessThan(seconds * 1000);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^tfc: error: /);
  for (const part of parts) expect(r.stderr).toContain(part);
}

describe('tfc run', () => {
  it('refuses a model.json naming a weight file outside its folder', async () => {
    const json = JSON.parse(readFileSync(model, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0].paths = ['../model/weights.bin'];
    const dir = path.join(tmp, 'escaping');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    const out = path.join(tmp, 'y-escaping.npy');
    await fails(['run', path.join(dir, 'model.json'), '--input', input, '--output', out], [
      "weight file '../model/weights.bin' named in weightsManifest[0] resolves to",
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses /dev/zero and a FIFO as inputs without reading them', async () => {
    await fails(['run', model, '--input', '/dev/zero', '--output', path.join(tmp, 'y.npy')], [
      "cannot read input file '/dev/zero'",
      'is a character device, not a regular file',
    ]);
    const fifo = path.join(tmp, 'fifo.npy');
    execFileSync('mkfifo', [fifo]);
    await fails(['run', model, '--input', fifo, '--output', path.join(tmp, 'y.npy')], [
      `cannot read input file '${fifo}'`,
      'is a FIFO (named pipe), not a regular file',
    ]);
    expect(existsSync(path.join(tmp, 'y.npy'))).toBe(false);
  });
});

describe('tfc predict', () => {
  it('refuses a bundle whose manifest.json is a FIFO at once', async () => {
    const scale = await writeScaleBundle('tfc-cli-files-scale-');
    try {
      unlinkSync(path.join(scale.dir, 'manifest.json'));
      execFileSync('mkfifo', [path.join(scale.dir, 'manifest.json')]);
      const x = path.join(tmp, 'x4.npy');
      writeFileSync(x, writeNpy({ dtype: 'f32', shape: [1, 4], data: Float32Array.of(1, 2, 3, 4) }));
      await fails(['predict', scale.dir, '--input', x, '--output', path.join(tmp, 'y.npy')], [
        "cannot read 'manifest.json' (not a regular file)",
      ]);
    } finally {
      rmSync(scale.tmp, { recursive: true, force: true });
    }
  });
});

describe('a DSL model with a 40 GB layer', () => {
  it('summarizes and inspects without computing its weights', async () => {
    const summary = await tfc(['summary', 'huge.ts'], tmp);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toContain('Total params: 10,000,100,000');
    const inspect = await tfc(['inspect', 'huge.ts'], tmp);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/weight bytes\s+40,000,000,000/);
  });

  it('fails to build with one error naming the limit, writing nothing', async () => {
    const out = path.join(tmp, 'huge-bundle');
    await fails(['build', 'huge.ts', '--out', out], ['limit'], 60);
    expect(existsSync(out)).toBe(false);
  });
});
