/**
 * `.npy` headers declare shapes; a hostile one must be refused naming the
 * limit before anything of that size is allocated, and a malformed one must
 * not be echoed whole into the one-line error (issue #9, defect 3).
 */
import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from '../../compiler/io/npy.js';

/** A format 1.0 .npy file with this header text and these data bytes. */
function npy(header: string, data = new Uint8Array(0)): Uint8Array {
  const padded = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + '\n';
  const out = new Uint8Array(10 + padded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[10 + i] = padded.charCodeAt(i);
  out.set(data, 10 + padded.length);
  return out;
}

const header = (shape: string): string => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;

describe('.npy shapes within the limits', () => {
  it('refuses a shape over the tensor limit, naming the limit', () => {
    expect(() => readNpy(npy(header('(1000000, 1000000)')), 'x.npy')).toThrow(
      new NpyError('x.npy: the .npy header declares shape (1000000, 1000000), over the limit for one tensor of 1,073,741,824 values (MAX_TENSOR_ELEMENTS)'),
    );
  });

  it('refuses sizes whose product is not a number (huge sizes times zero)', () => {
    expect(() => readNpy(npy(header('(1' + '0'.repeat(200) + ', 1' + '0'.repeat(200) + ', 0)')), 'x.npy')).toThrow(/over the limit for one tensor/);
  });

  it('refuses a rank over MAX_RANK', () => {
    expect(() => readNpy(npy(header(`(${new Array(40).fill(1).join(', ')})`)), 'x.npy')).toThrow(/declares rank 40; the limit is 32 \(MAX_RANK\)/);
  });

  it('refuses sizes that are not plain integers', () => {
    for (const size of ['0x10', '1e3', '-1', '2.0']) {
      expect(() => readNpy(npy(header(`(${size},)`)), 'x.npy')).toThrow(`x.npy: bad shape entry '${size}' in .npy header`);
    }
  });

  it('quotes at most 200 characters of a malformed header', () => {
    const e = (() => {
      try {
        readNpy(npy(`{'descr': '<f4', ${'x'.repeat(60000)}}`), 'x.npy');
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(NpyError);
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).toMatch(/\(cut at 200 characters\)$/);
  });

  it('still reads an ordinary file, and a file with a zero-sized dimension', () => {
    const t = readNpy(writeNpy({ dtype: 'f32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }));
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(readNpy(npy(header('(0, 5)'))).shape).toEqual([0, 5]);
  });
});
