/**
 * Damaged `.h5` files (bytes flipped at various offsets, truncated) end in
 * exactly one `tfc: error:` line naming the file, with nothing else on stderr,
 * not even what HDF5 writes to the process' own fd 2; from the API they are a
 * ModelFileError. A flip inside weight data may still load: then the CLI
 * succeeds silently.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../compiler/frontend/keras/errors.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { pool, tfc } from '../cli/tfc.js';
import { kerasCaseDir } from '../helpers/conformance.js';
import { readTfjsCase, writeKeras2H5 } from '../helpers/keras_writers.js';

let dir: string;
let original: Uint8Array;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfc-h5-corrupt-'));
  original = await writeKeras2H5(readTfjsCase(kerasCaseDir('dense_mlp')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Damage {
  name: string;
  damage: (bytes: Uint8Array) => Uint8Array;
}

const flipAt = (offset: number): Damage => ({
  name: `flip_${offset}`,
  damage: (bytes) => {
    const out = bytes.slice();
    out[offset] ^= 0xff;
    return out;
  },
});
const truncateBy = (count: number): Damage => ({ name: `truncate_${count}`, damage: (bytes) => bytes.slice(0, bytes.length - count) });

// Offsets 100..2000 hit checksummed object headers (HDF5 used to print its 38-line error stack there).
const DAMAGES = [0, 8, 100, 500, 1000, 2000, 3000, 6000, 12000].map(flipAt).concat([truncateBy(100), truncateBy(5000)]);

function writeDamaged(d: Damage): string {
  const file = path.join(dir, `${d.name}.h5`);
  writeFileSync(file, d.damage(original));
  return file;
}

describe('a damaged .h5 file', () => {
  it('is one tfc: error: line naming the file from the CLI, and nothing else on stderr', async () => {
    const throughCli = DAMAGES.filter((d) => ['flip_0', 'flip_100', 'flip_2000', 'flip_12000', 'truncate_100'].includes(d.name));
    const results = await pool(
      throughCli.map((d) => async () => {
        const file = writeDamaged(d);
        return { name: d.name, file, ...(await tfc(['summary', file])) };
      }),
      2,
    );
    for (const r of results) {
      if (r.code === 0) {
        expect(r.stderr, r.name).toBe('');
        continue;
      }
      expect(r.code, r.name).toBe(1);
      expect(r.stderr, r.name).toMatch(new RegExp(`^tfc: error: ${r.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^\n]+\n$`));
      expect(r.stderr, r.name).not.toContain('internal error');
    }
    const failed = results.filter((r) => r.code === 1).map((r) => r.name);
    expect(failed).toEqual(expect.arrayContaining(['flip_0', 'flip_100', 'flip_2000', 'truncate_100']));
  }, 60_000);

  it('names the most specific HDF5 reason', async () => {
    const file = writeDamaged(flipAt(100));
    await expect(loadKerasFile(file)).rejects.toThrow(/ \(Read failed: incorrect metadata checksum after all read attempts\)$/);
    const truncated = writeDamaged(truncateBy(100));
    await expect(loadKerasFile(truncated)).rejects.toThrow(`${truncated}: not a readable HDF5 file (File has been truncated: truncated file`);
  });

  it('is a ModelFileError from the API, whatever the damage', async () => {
    for (const d of DAMAGES) {
      const file = writeDamaged(d);
      const outcome = await loadKerasFile(file).then(
        () => 'loaded',
        (e: unknown) => (e instanceof ModelFileError && !e.message.includes('\n') ? 'ModelFileError' : String(e)),
      );
      expect(['loaded', 'ModelFileError'], d.name).toContain(outcome);
    }
  });
});
