/** .keras archive and Keras 2 .h5 cases. */
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { CliCase } from '../case.js';
import { tinyInput, tinyKeras2H5, tinyKeras3, type Json } from '../tiny_model.js';
import { write, type Setup } from './common.js';

const runOn = (file: string): string[] => ['run', file, '--input', 'x.npy', '--output', 'y.npy'];

function withInput(name: string, bytes: () => Promise<Uint8Array> | Uint8Array): Setup {
  return async (dir) => {
    write(dir, name, await bytes());
    write(dir, 'x.npy', tinyInput());
  };
}

/** The tiny .keras archive with its entries edited (a missing key drops the entry). */
async function editedArchive(edit: (entries: Record<string, Uint8Array>) => void): Promise<Uint8Array> {
  const entries = unzipSync(await tinyKeras3());
  edit(entries);
  return zipSync(entries);
}

/**
 * Rewrites the uncompressed size a zip declares for `name` (local header and
 * central directory), as a zip bomb's header would, without inflating anything.
 */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = new Uint8Array(zip);
  const view = new DataView(out.buffer);
  const nameBytes = strToU8(name);
  const matches = (at: number): boolean => nameBytes.every((b, i) => out[at + i] === b);
  for (let i = 0; i + 46 < out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50 && view.getUint16(i + 26, true) === nameBytes.length && matches(i + 30)) view.setUint32(i + 22, size, true);
    if (sig === 0x02014b50 && view.getUint16(i + 28, true) === nameBytes.length && matches(i + 46)) view.setUint32(i + 24, size, true);
  }
  return out;
}

function flipBytes(bytes: Uint8Array, from: number, count: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = from; i < from + count && i < out.length; i++) out[i] ^= 0xff;
  return out;
}

export const kerasFileCases: CliCase[] = [
  { name: '.keras that is not a zip', setup: withInput('model.keras', () => strToU8('{"class_name": "Sequential"}')), argv: runOn('model.keras'), expect: /model\.keras.*(zip|archive)/ },
  { name: '.keras empty file', setup: withInput('model.keras', () => new Uint8Array(0)), argv: runOn('model.keras'), expect: /model\.keras.*(zip|archive|empty)/ },
  {
    name: '.keras truncated',
    setup: withInput('model.keras', async () => (await tinyKeras3()).subarray(0, 300)),
    argv: runOn('model.keras'),
    expect: /model\.keras.*(zip|archive|truncated)/,
  },
  {
    name: '.keras without config.json',
    setup: withInput('model.keras', () => editedArchive((e) => delete e['config.json'])),
    argv: runOn('model.keras'),
    expect: /model\.keras.*config\.json/,
  },
  {
    name: '.keras whose config.json is a path-traversal entry',
    setup: withInput('model.keras', () =>
      editedArchive((e) => {
        e['../config.json'] = e['config.json'];
        delete e['config.json'];
      }),
    ),
    argv: runOn('model.keras'),
    expect: /model\.keras.*config\.json/,
  },
  {
    name: '.keras with config.json that is not JSON',
    setup: withInput('model.keras', () => editedArchive((e) => (e['config.json'] = strToU8('{"class_name": ')))),
    argv: runOn('model.keras'),
    expect: /model\.keras.*JSON/,
  },
  {
    name: '.keras without model.weights.h5',
    setup: withInput('model.keras', () => editedArchive((e) => delete e['model.weights.h5'])),
    argv: runOn('model.keras'),
    expect: /model\.keras.*weights/,
  },
  {
    name: '.keras whose weights file is not HDF5',
    setup: withInput('model.keras', () => editedArchive((e) => (e['model.weights.h5'] = strToU8('not hdf5 at all')))),
    argv: runOn('model.keras'),
    expect: /model\.keras.*(HDF5|weights)/,
  },
  {
    name: '.keras whose weights file has flipped bytes',
    setup: withInput('model.keras', () => editedArchive((e) => (e['model.weights.h5'] = flipBytes(e['model.weights.h5'], 0, 512)))),
    argv: runOn('model.keras'),
    expect: /model\.keras.*(HDF5|weights)/,
  },
  {
    name: '.keras declaring a 4 GB config.json (zip bomb header)',
    setup: withInput('model.keras', async () => declareSize(await tinyKeras3(), 'config.json', 0xfffffff0)),
    argv: runOn('model.keras'),
    expect: /model\.keras.*(limit|too large|size|zip)/i,
  },
  {
    name: '.keras with an unknown layer class',
    setup: withInput('model.keras', () =>
      tinyKeras3({
        config: (c) => {
          const layers = (c.config as Json).layers as Json[];
          layers[1].class_name = 'QuantumDense';
          return c;
        },
      }),
    ),
    argv: runOn('model.keras'),
    expect: /model\.keras.*QuantumDense/,
  },
  {
    name: '.keras with a weight of the wrong shape',
    setup: withInput('model.keras', () => tinyKeras3({ edit: (at, t) => (at.includes('dense/vars/0') ? { shape: [2, 6], data: t.data } : t) })),
    argv: runOn('model.keras'),
    expect: /model\.keras.*(shape|\[2,\s?6\])/,
  },
  { name: '.h5 that is text', setup: withInput('model.h5', () => strToU8('hello, I am not HDF5\n')), argv: runOn('model.h5'), expect: /model\.h5.*HDF5/ },
  { name: '.h5 empty file', setup: withInput('model.h5', () => new Uint8Array(0)), argv: runOn('model.h5'), expect: /model\.h5.*(HDF5|empty)/ },
  {
    name: '.h5 truncated to half',
    setup: withInput('model.h5', async () => {
      const bytes = await tinyKeras2H5();
      return bytes.subarray(0, bytes.length >> 1);
    }),
    argv: runOn('model.h5'),
    expect: /model\.h5/,
  },
  {
    name: '.h5 with flipped bytes in its metadata',
    setup: withInput('model.h5', async () => flipBytes(await tinyKeras2H5(), 96, 64)),
    argv: runOn('model.h5'),
    expect: /model\.h5/,
  },
  {
    name: '.h5 without model_config (weights only)',
    setup: withInput('model.h5', () => tinyKeras2H5({ omitModelConfig: true })),
    argv: runOn('model.h5'),
    expect: /model\.h5.*model_config/,
  },
  {
    name: '.h5 missing a weight dataset',
    setup: withInput('model.h5', () => tinyKeras2H5({ edit: (at, t) => (at.endsWith('dense_1/bias:0') ? undefined : t) })),
    argv: runOn('model.h5'),
    expect: /model\.h5.*dense_1/,
  },
];
