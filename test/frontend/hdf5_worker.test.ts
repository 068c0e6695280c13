/**
 * HDF5 is read in a worker thread (compiler/frontend/keras/hdf5.ts): a
 * damaged file ends in one Hdf5Error within seconds, and however many
 * damaged files came before, a valid file still reads completely (the .h5
 * fuzzer found that once h5wasm trapped on one file, every later read in the
 * process aborted, valid files included).
 */
import { describe, expect, it } from 'vitest';
import { Hdf5Error, readHdf5 } from '../../compiler/frontend/keras/hdf5.js';
import { conformanceModelDir } from '../fuzz/models.js';
import { applyByteEdits, type ByteEdit } from '../fuzz/mutate.js';
import { readTfjsCase, writeKeras2H5 } from '../helpers/keras_writers.js';

const tc = readTfjsCase(conformanceModelDir('dense_mlp'));

/** What a reader sees of the file: the root's members and the first kernel's shape. */
function summary(h5: Parameters<Parameters<typeof readHdf5>[2]>[0]): { root: string[] | undefined; kernels: number } {
  const layers = h5.children('model_weights') ?? [];
  let kernels = 0;
  for (const layer of layers) {
    const stack = [`model_weights/${layer}`];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (h5.isDataset(p) && p.endsWith('kernel:0') && h5.tensor(p)) kernels++;
      for (const c of h5.children(p) ?? []) stack.push(`${p}/${c}`);
    }
  }
  return { root: h5.children('')?.sort(), kernels };
}

describe('HDF5 in a worker', () => {
  it('a file with a broken signature is one clean Hdf5Error', async () => {
    const good = await writeKeras2H5(tc);
    const damaged = applyByteEdits(good, [{ kind: 'flip', at: 0, bit: 7 }]);
    await readHdf5(good, 'good.h5', summary); // starts the worker, which the time check leaves out
    const started = Date.now();
    const error = await readHdf5(damaged, 'x.h5', summary).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Hdf5Error);
    expect((error as Error).message).toMatch(/^x\.h5: not a readable HDF5 file \(.*signature/);
    expect((error as Error).message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);

  it('a valid file reads completely after many damaged ones', async () => {
    const good = await writeKeras2H5(tc);
    const expected = await readHdf5(good, 'good.h5', summary);
    expect(expected.root).toEqual(['model_weights']);
    expect(expected.kernels).toBeGreaterThan(0);
    // Damage in the metadata at the start of the file, spread over its first 4 KiB.
    for (let i = 0; i < 40; i++) {
      const edits: ByteEdit[] = [{ kind: 'set', at: (96 + i * 97) / good.length, value: (i * 37) & 0xff }, { kind: 'flip', at: (200 + i * 53) / good.length, bit: i % 8 }];
      await readHdf5(applyByteEdits(good, edits), `damaged${i}.h5`, summary).catch((e: unknown) => {
        if (!(e instanceof Hdf5Error) || e.message.includes('\n')) throw e;
      });
    }
    expect(await readHdf5(good, 'good.h5', summary)).toEqual(expected);
  }, 120_000);
});
