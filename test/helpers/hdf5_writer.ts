/** Writes HDF5 files for tests with h5wasm: groups, float32 datasets, string attributes as h5py writes them. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import h5wasm, { type Group } from 'h5wasm/node';
import type { StoredTensor } from './keras_case.js';

/** Creates an HDF5 file with `fill`, returning its bytes. */
export async function writeHdf5(fill: (root: Group) => void): Promise<Uint8Array> {
  await h5wasm.ready;
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-writer-'));
  const file = path.join(dir, 'out.h5');
  try {
    const f = new h5wasm.File(file, 'w');
    fill(f);
    f.close();
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The group at `name` below `parent`, created with its parents when missing. */
export function group(parent: Group, name: string): Group {
  let g = parent;
  for (const part of name.split('/')) {
    g = (g.keys().includes(part) ? g.get(part) : g.create_group(part)) as Group;
  }
  return g;
}

export function dataset(parent: Group, name: string, t: StoredTensor): void {
  const slash = name.lastIndexOf('/');
  const g = slash < 0 ? parent : group(parent, name.slice(0, slash));
  g.create_dataset({ name: name.slice(slash + 1), data: t.data, shape: t.shape, dtype: '<f' });
}

/**
 * How h5py stores a string: Python `bytes` (`s.encode('utf8')`, numpy `S`
 * arrays) as fixed-length strings, Python `str` as variable-length UTF-8.
 */
export type StringKind = 'fixed' | 'variable';

/** A string list attribute; an empty list is h5py's empty float64 array. */
export function stringsAttribute(g: Group, name: string, values: string[], kind: StringKind = 'fixed'): void {
  if (values.length === 0) {
    g.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  const width = Math.max(1, ...values.map((v) => Buffer.byteLength(v)));
  g.create_attribute(name, values, [values.length], kind === 'fixed' ? `S${width}` : undefined);
}

export function stringAttribute(g: Group, name: string, value: string, kind: StringKind = 'fixed'): void {
  g.create_attribute(name, value, null, kind === 'fixed' ? `S${Math.max(1, Buffer.byteLength(value))}` : undefined);
}
