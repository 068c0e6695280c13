/**
 * Token ids outside an Embedding's table are refused alike by `tfc run` (the
 * interpreter) and `tfc predict` (the runtime, from the bundle manifest's
 * `indexRows`), naming the input, the value and the table size; ids inside
 * the table still predict. The compiled kernels alone would give zeros.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { f32 } from '../../compiler/ir/tensor.js';
import { kerasCaseDir } from '../helpers/conformance.js';
import { tfc } from './tfc.js';

const model = path.join(kerasCaseDir('embedding_dense'), 'model.json');
let tmp = '';
let bundle = '';

function ids(name: string, values: number[]): string {
  const file = path.join(tmp, `${name}.npy`);
  writeFileSync(file, writeNpy(f32([1, 10], Float32Array.from(values))));
  return file;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-index-inputs-'));
  bundle = path.join(tmp, 'bundle');
  const r = await tfc(['build', model, '--target', 'wasm', '--out', bundle]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('token ids outside the Embedding table', () => {
  it('the manifest records the table size of the tokens input', () => {
    const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as { inputs: { indexRows?: number }[] };
    expect(manifest.inputs[0].indexRows).toBe(50);
  });

  for (const [what, values, shown] of [
    ['one past the end', [1, 2, 3, 50, 0, 0, 0, 0, 0, 0], '50 at element 3'],
    ['negative', [-1, 2, 3, 4, 0, 0, 0, 0, 0, 0], '-1 at element 0'],
  ] as const) {
    it(`${what}: run and predict refuse it with the same words, writing nothing`, async () => {
      const input = ids(what.replace(/ /g, '-'), [...values]);
      for (const argv of [['run', model], ['predict', bundle]]) {
        const out = path.join(tmp, `${argv[0]}-${what.replace(/ /g, '-')}.npy`);
        const r = await tfc([...argv, '-i', input, '-o', out]);
        expect(r.code).toBe(1);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("input 0 'tokens' holds");
        expect(lines[0]).toContain(shown);
        expect(lines[0]).toContain('a table of 50 rows');
        expect(existsSync(out)).toBe(false);
      }
    });
  }

  it('ids inside the table (49, and 49.7 as a float id truncates to 49) predict', async () => {
    const out = path.join(tmp, 'ok-out.npy');
    const r = await tfc(['predict', bundle, '-i', ids('ok', [49, 49.7, 0, 1, 2, 3, 4, 5, 6, 7]), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});
