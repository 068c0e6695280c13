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
 *
 * A damaged file must end in one Hdf5Error and print nothing: every h5wasm
 * call goes through `guarded`, which silences what the library writes
 * (emscripten's console output, HDF5's diagnostics on its own fd 1 and 2)
 * and turns whatever it throws into an Hdf5Error with the most specific
 * reason of HDF5's error stack.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm, { Dataset, Group, type File as H5File } from 'h5wasm/node';
import type { Tensor } from '../../ir/tensor.js';
import { MAX_TENSOR_ELEMENTS } from '../../limits.js';

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

/** The part of emscripten's FS used to point the library's own stdout / stderr at the null device. */
interface EmscriptenFs {
  getStream(fd: number): object | null;
  close(stream: object): void;
  open(path: string, flags: string): { fd: number };
}

/**
 * Loads the wasm module once, makes HDF5 errors throw instead of printing,
 * and points the module's fd 1 and 2 (which write straight to the process'
 * descriptors, past any JS hook) at the null device.
 */
function init(): Promise<void> {
  initialized ??= h5wasm.ready.then((module) => {
    module.activate_throwing_error_handler();
    const fs = (module as unknown as { FS: EmscriptenFs }).FS;
    try {
      for (const fd of [1, 2]) {
        const stream = fs.getStream(fd);
        if (stream) fs.close(stream);
      }
      // The lowest free descriptors are reused, so these become fd 1 and fd 2 again.
      for (const fd of [1, 2]) if (fs.open(devNull, 'w').fd !== fd) break;
    } catch {
      // No null device here (an unusual host): the JS-level silencing in `guarded` still applies.
    }
  });
  return initialized;
}

const devNull = process.platform === 'win32' ? '\\\\.\\nul' : '/dev/null';

/**
 * The most specific reason in an HDF5 error stack: the innermost frame's
 * `minor:` class and its description (`Read failed: incorrect metadata
 * checksum after all read attempts`), or the first line of any other error.
 */
function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const frames = [...text.matchAll(/#\d+: .* in \w+\(\): (.+)\n\s*major: .+\n\s*minor: (.+)/g)];
  const innermost = frames[frames.length - 1];
  return innermost ? `${innermost[2].trim()}: ${innermost[1].trim()}` : text.split('\n')[0];
}

type Write = typeof process.stderr.write;
const silent: Write = (_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
  const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
  if (typeof done === 'function') (done as () => void)();
  return true;
};

/**
 * Runs one synchronous h5wasm call with the process' stdout and stderr
 * silenced (emscripten prints aborts and warnings through console), and turns
 * any exception into an Hdf5Error saying `what` failed and HDF5's reason.
 */
function guarded<T>(label: string, what: string, call: () => T): T {
  const { stdout, stderr } = process;
  const [out, err] = [stdout.write, stderr.write];
  stdout.write = silent;
  stderr.write = silent;
  try {
    return call();
  } catch (e) {
    if (e instanceof Hdf5Error) throw e;
    throw new Hdf5Error(label, `${what} (${hdf5Reason(e)})`);
  } finally {
    stdout.write = out;
    stderr.write = err;
  }
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
    const file = guarded(label, 'not a readable HDF5 file', () => new h5wasm.File(path, 'r'));
    try {
      return read(new Reader(file, label));
    } finally {
      guarded(label, 'cannot close the HDF5 file', () => file.close());
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

  private guarded<T>(what: string, call: () => T): T {
    return guarded(this.label, what, call);
  }

  private entity(path: string): Group | Dataset | undefined {
    if (path === '' || path === '/') return this.file;
    const e = this.guarded(`cannot read '/${path}'`, () => this.file.get(path));
    return e instanceof Group || e instanceof Dataset ? e : undefined;
  }

  children(path: string): string[] | undefined {
    const e = this.entity(path);
    return e instanceof Group ? this.guarded(`cannot list the group '/${path}'`, () => e.keys()) : undefined;
  }

  isGroup(path: string): boolean {
    return this.entity(path) instanceof Group;
  }

  isDataset(path: string): boolean {
    return this.entity(path) instanceof Dataset;
  }

  attributeNames(path: string): string[] {
    const e = this.entity(path);
    return e ? this.guarded(`cannot list the attributes of '/${path}'`, () => Object.keys(e.attrs)) : [];
  }

  attribute(path: string, name: string): unknown {
    if (!this.attributeNames(path).includes(name)) return undefined;
    const e = this.entity(path) as Group | Dataset;
    return this.guarded(`cannot read attribute '${name}' of '/${path}'`, () => e.get_attribute(name, true));
  }

  tensor(path: string): Tensor | undefined {
    const e = this.entity(path);
    if (!(e instanceof Dataset)) return undefined;
    const { shape, meta, dtype } = this.guarded(`cannot read dataset '/${path}'`, () => ({ shape: e.shape ?? [], meta: e.metadata, dtype: e.dtype }));
    const elements = shape.reduce((n, d) => n * d, 1);
    if (elements > MAX_TENSOR_ELEMENTS) {
      throw new Hdf5Error(this.label, `dataset '/${path}' declares shape [${shape.join(', ')}]: more than the ${MAX_TENSOR_ELEMENTS} elements a tensor may have`);
    }
    const value = this.guarded(`cannot read dataset '/${path}'`, () => e.value);
    const data = meta.type === FLOAT_CLASS && meta.size === 2 ? halfToFloat32(value) : toFloat32(value);
    if (!data) {
      throw new Hdf5Error(this.label, `dataset '/${path}' has unsupported dtype '${String(dtype)}' (expected float or integer data)`);
    }
    if (data.length !== elements) {
      throw new Hdf5Error(this.label, `dataset '/${path}' holds ${data.length} values for its shape [${shape.join(', ')}]`);
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
