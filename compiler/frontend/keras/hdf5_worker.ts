/**
 * The worker thread that runs h5wasm (started by hdf5.ts). It loads the
 * library once, then for each request writes the bytes to a private
 * temporary file, reads every group, attribute and dataset into an
 * Hdf5Snapshot and removes the file. HDF5 runs here and nowhere else: a
 * damaged file can make the library trap, abort or loop, and a trap leaves
 * the module's state broken for every later file, so the main thread ends
 * this worker after a trap (`poisoned`) or a timeout and starts a fresh one.
 *
 * The library's own output is silenced: HDF5 errors throw instead of
 * printing, the module's fd 1 and 2 point at the null device, and
 * process.stdout / stderr are muted around each call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import h5wasm, { Dataset, Group, type File as H5File } from 'h5wasm/node';
import { MAX_TENSOR_ELEMENTS, MAX_WEIGHT_BYTES } from '../../limits.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Hdf5Entity, Hdf5Snapshot, Read, WorkerReply, WorkerRequest } from './hdf5_snapshot.js';

/** Bounds on the walk, so a damaged file whose links form a cycle cannot make it endless. */
const MAX_DEPTH = 32;
const MAX_ENTITIES = 100_000;

/** The part of emscripten's FS used to point the library's own stdout / stderr at the null device. */
interface EmscriptenFs {
  getStream(fd: number): object | null;
  close(stream: object): void;
  open(path: string, flags: string): { fd: number };
}

const devNull = process.platform === 'win32' ? '\\\\.\\nul' : '/dev/null';

async function init(): Promise<void> {
  const module = await h5wasm.ready;
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
    // No null device here (an unusual host): the JS-level silencing in `attempt` still applies.
  }
}


/** A read that cannot go on (a trap, or a walk limit): it fails the whole file. */
class FileFailure extends Error {
  constructor(
    readonly reason: string,
    readonly poisoned: boolean,
  ) {
    super(reason);
  }
}

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

/** Runs one h5wasm call silenced; an HDF5 error becomes `{ error }` saying `what` failed, a trap fails the file. */
function attempt<T>(what: string, call: () => T): Read<T> {
  const { stdout, stderr } = process;
  const [out, err] = [stdout.write, stderr.write];
  stdout.write = silent;
  stderr.write = silent;
  try {
    return { value: call() };
  } catch (e) {
    const reason = `${what} (${hdf5Reason(e)})`;
    if (e instanceof WebAssembly.RuntimeError) throw new FileFailure(reason, true);
    return { error: reason };
  } finally {
    stdout.write = out;
    stderr.write = err;
  }
}

/** HDF5's type class of floating-point data in h5wasm metadata. */
const FLOAT_CLASS = 1;

class Walk {
  readonly entities = new Map<string, Read<Hdf5Entity | undefined>>();
  private count = 0;
  private tensorBytes = 0;

  constructor(private readonly file: H5File) {}

  visit(path: string, depth: number): void {
    if (++this.count > MAX_ENTITIES) throw new FileFailure(`more than ${MAX_ENTITIES} groups and datasets`, false);
    if (depth > MAX_DEPTH) throw new FileFailure(`groups nested deeper than ${MAX_DEPTH} levels at '/${path}'`, false);
    const got = path === '' ? { value: this.file } : attempt(`cannot read '/${path}'`, () => this.file.get(path));
    if ('error' in got) {
      this.entities.set(path, got);
      return;
    }
    const e = got.value;
    if (!(e instanceof Group) && !(e instanceof Dataset)) {
      this.entities.set(path, { value: undefined });
      return;
    }
    const entity: Hdf5Entity = { kind: e instanceof Group ? 'group' : 'dataset', attributes: this.attributes(e, path) };
    this.entities.set(path, { value: entity });
    if (e instanceof Dataset) {
      entity.tensor = this.tensor(e, path);
      return;
    }
    const children = attempt(`cannot list the group '/${path}'`, () => e.keys());
    entity.children = children;
    if ('value' in children) for (const name of children.value) this.visit(path === '' ? name : `${path}/${name}`, depth + 1);
  }

  private attributes(e: Group | Dataset, path: string): Read<Map<string, Read<unknown>>> {
    const names = attempt(`cannot list the attributes of '/${path}'`, () => Object.keys(e.attrs));
    if ('error' in names) return names;
    const out = new Map<string, Read<unknown>>();
    for (const name of names.value) out.set(name, attempt(`cannot read attribute '${name}' of '/${path}'`, () => e.get_attribute(name, true)));
    return { value: out };
  }

  private tensor(e: Dataset, path: string): Read<Tensor> {
    const header = attempt(`cannot read dataset '/${path}'`, () => ({ shape: e.shape ?? [], meta: e.metadata, dtype: e.dtype }));
    if ('error' in header) return header;
    const { shape, meta, dtype } = header.value;
    const elements = shape.reduce((n, d) => n * d, 1);
    if (elements > MAX_TENSOR_ELEMENTS) {
      return { error: `dataset '/${path}' declares shape [${shape.join(', ')}]: more than the ${MAX_TENSOR_ELEMENTS} elements a tensor may have` };
    }
    this.tensorBytes += elements * 4;
    if (this.tensorBytes > MAX_WEIGHT_BYTES) throw new FileFailure(`its datasets hold more than the ${MAX_WEIGHT_BYTES} bytes of weights a model may have (MAX_WEIGHT_BYTES)`, false);
    const value = attempt(`cannot read dataset '/${path}'`, () => e.value);
    if ('error' in value) return value;
    const data = meta.type === FLOAT_CLASS && meta.size === 2 ? halfToFloat32(value.value) : toFloat32(value.value);
    if (!data) return { error: `dataset '/${path}' has unsupported dtype '${String(dtype)}' (expected float or integer data)` };
    if (data.length !== elements) return { error: `dataset '/${path}' holds ${data.length} values for its shape [${shape.join(', ')}]` };
    return { value: { dtype: 'f32', shape, data } };
  }
}

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

function snapshotOf(bytes: Uint8Array): WorkerReply {
  const dir = mkdtempSync(join(tmpdir(), 'tfc-h5-'));
  const path = join(dir, 'file.h5');
  try {
    writeFileSync(path, bytes);
    const opened = attempt('not a readable HDF5 file', () => new h5wasm.File(path, 'r'));
    if ('error' in opened) return { kind: 'failed', reason: opened.error, poisoned: false };
    const walk = new Walk(opened.value);
    try {
      walk.visit('', 0);
    } catch (e) {
      // After a trap the module is not called again: the worker is ended instead.
      if (!(e instanceof FileFailure && e.poisoned)) attempt('cannot close the HDF5 file', () => opened.value.close());
      throw e;
    }
    attempt('cannot close the HDF5 file', () => opened.value.close());
    return { kind: 'snapshot', snapshot: { entities: walk.entities } };
  } catch (e) {
    if (e instanceof FileFailure) return { kind: 'failed', reason: e.reason, poisoned: e.poisoned };
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const port = parentPort;
if (!port) throw new Error('hdf5_worker.ts runs as a worker thread');
await init();
port.on('message', (request: WorkerRequest) => port.postMessage(snapshotOf(request.bytes)));
port.postMessage({ kind: 'ready' } satisfies WorkerReply);
