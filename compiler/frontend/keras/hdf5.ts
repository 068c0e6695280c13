/**
 * The one place that opens HDF5 bytes (Keras 2 `.h5` files and the
 * `model.weights.h5` inside `.keras` archives). h5wasm's Node build works on
 * the host filesystem, so the bytes go to a private temporary file that is
 * closed and removed as soon as the caller's reader is done.
 *
 * `Hdf5Reader` is a small read-only view: groups, string attributes and
 * numeric datasets as f32 tensors. Paths are `/`-separated, relative to the
 * root. Anything missing reads as `undefined`; the Keras loaders turn that
 * into an error naming the file and layer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm, { Dataset, Group, type File as H5File } from 'h5wasm/node';
import type { Tensor } from '../../ir/tensor.js';

/** Bytes that are not a readable HDF5 file, or a dataset tfc cannot read. */
export class Hdf5Error extends Error {
  constructor(
    readonly label: string,
    readonly detail: string,
  ) {
    super(`${label}: ${detail}`);
    this.name = 'Hdf5Error';
  }
}

export interface Hdf5Reader {
  /** Names of the members of the group at `path`, or undefined when it is not a group. */
  children(path: string): string[] | undefined;
  isGroup(path: string): boolean;
  isDataset(path: string): boolean;
  /** An attribute as JSON-compatible data (strings, numbers, arrays of them), or undefined. */
  attribute(path: string, name: string): unknown;
  attributeNames(path: string): string[];
  /** A numeric dataset converted to f32, or undefined when there is none at `path`. */
  tensor(path: string): Tensor | undefined;
}

let initialized: Promise<void> | undefined;

/** Loads the wasm module once and makes HDF5 errors throw instead of printing to stderr. */
function init(): Promise<void> {
  initialized ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
  });
  return initialized;
}

/** The most specific line of an HDF5 error stack (`minor: Not an HDF5 file`), or the whole text. */
function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const minors = [...text.matchAll(/minor: (.+)/g)].map((m) => m[1].trim());
  return minors.length > 0 ? minors[minors.length - 1] : text.split('\n')[0];
}

/**
 * Opens `bytes` as HDF5, runs `read` on it, and always cleans up. `label`
 * names the bytes in errors (e.g. `model.keras: model.weights.h5`).
 */
export async function readHdf5<T>(bytes: Uint8Array, label: string, read: (h5: Hdf5Reader) => T): Promise<T> {
  await init();
  const dir = mkdtempSync(join(tmpdir(), 'tfc-h5-'));
  const path = join(dir, 'file.h5');
  try {
    writeFileSync(path, bytes);
    let file: H5File;
    try {
      file = new h5wasm.File(path, 'r');
    } catch (err) {
      throw new Hdf5Error(label, `not a readable HDF5 file (${hdf5Reason(err)})`);
    }
    try {
      return read(new Reader(file, label));
    } finally {
      file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class Reader implements Hdf5Reader {
  constructor(
    private readonly file: H5File,
    private readonly label: string,
  ) {}

  private entity(path: string): Group | Dataset | undefined {
    if (path === '' || path === '/') return this.file;
    // h5wasm throws (through the error handler) for some malformed paths; treat them as absent.
    try {
      const e = this.file.get(path);
      return e instanceof Group || e instanceof Dataset ? e : undefined;
    } catch {
      return undefined;
    }
  }

  children(path: string): string[] | undefined {
    const e = this.entity(path);
    return e instanceof Group ? e.keys() : undefined;
  }

  isGroup(path: string): boolean {
    return this.entity(path) instanceof Group;
  }

  isDataset(path: string): boolean {
    return this.entity(path) instanceof Dataset;
  }

  attributeNames(path: string): string[] {
    const e = this.entity(path);
    return e ? Object.keys(e.attrs) : [];
  }

  attribute(path: string, name: string): unknown {
    const e = this.entity(path);
    if (!e || !(name in e.attrs)) return undefined;
    try {
      return e.get_attribute(name, true);
    } catch (err) {
      throw new Hdf5Error(this.label, `cannot read attribute '${name}' of '/${path}' (${hdf5Reason(err)})`);
    }
  }

  tensor(path: string): Tensor | undefined {
    const e = this.entity(path);
    if (!(e instanceof Dataset)) return undefined;
    const shape = e.shape ?? [];
    let value: unknown;
    try {
      value = e.value;
    } catch (err) {
      throw new Hdf5Error(this.label, `cannot read dataset '/${path}' (${hdf5Reason(err)})`);
    }
    const meta = e.metadata;
    const data = meta.type === FLOAT_CLASS && meta.size === 2 ? halfToFloat32(value) : toFloat32(value);
    if (!data) {
      throw new Hdf5Error(this.label, `dataset '/${path}' has unsupported dtype '${String(e.dtype)}' (expected float or integer data)`);
    }
    return { dtype: 'f32', shape, data };
  }
}

/** HDF5's type class of floating-point data in h5wasm metadata. */
const FLOAT_CLASS = 1;

/** float16 data, which h5wasm returns as raw little-endian bytes. */
function halfToFloat32(value: unknown): Float32Array | undefined {
  if (!(value instanceof Uint8Array)) return undefined;
  const halves = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out = new Float32Array(value.byteLength / 2);
  for (let i = 0; i < out.length; i++) {
    const h = halves.getUint16(2 * i, true);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Numeric dataset values as f32: float32 as is, float64 and integers converted. */
function toFloat32(value: unknown): Float32Array | undefined {
  if (value instanceof Float32Array) return value;
  if (typeof value === 'number') return Float32Array.of(value);
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) return Float32Array.from(value, (v) => Number(v));
  if (
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    value instanceof Uint32Array ||
    value instanceof Int16Array ||
    value instanceof Uint16Array ||
    value instanceof Int8Array ||
    value instanceof Uint8Array
  ) {
    return Float32Array.from(value);
  }
  return undefined;
}
