/**
 * The one place that opens HDF5 bytes (Keras 2 `.h5` files and the
 * `model.weights.h5` inside `.keras` archives).
 *
 * `Hdf5Reader` is a small read-only view: groups, attributes and numeric
 * datasets as f32 tensors. Paths are `/`-separated, relative to the root.
 * Anything missing reads as `undefined`; the Keras loaders turn that into an
 * error naming the file and layer.
 *
 * h5wasm runs in a worker thread (hdf5_worker.ts) that reads the whole file
 * into a snapshot; the reader here answers from that snapshot. A damaged
 * file can make the library trap (which breaks the shared module for every
 * later file), abort or loop, so a trap, a crash or a read that takes longer
 * than READ_TIME_LIMIT_S ends the worker and gives one Hdf5Error; the next
 * file gets a fresh worker. Nothing the library prints reaches the user.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Tensor } from '../../ir/tensor.js';
import type { Hdf5Entity, Hdf5Snapshot, Read, WorkerReply, WorkerRequest } from './hdf5_snapshot.js';

/** How long reading one file may take; a healthy Keras file takes well under a second. */
export const READ_TIME_LIMIT_S = 30;

/** The worker's JavaScript heap; the file's data lives outside it, in the wasm memory and typed arrays. */
const WORKER_HEAP_MB = 1024;

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

/**
 * Starts the worker and resolves once h5wasm is loaded in it. From the
 * TypeScript sources (tests, tsx) the worker's .ts entry is loaded through
 * tsx's ESM loader, registered inside the worker; from dist/ it is plain JS.
 */
function startWorker(): Promise<Worker> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './hdf5_worker.ts' : './hdf5_worker.js', import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
  const worker = fromSource
    ? new Worker(`const { workerData } = require('node:worker_threads'); import(workerData.tsx).then((tsx) => tsx.register()).then(() => import(workerData.entry));`, {
        eval: true,
        workerData: { tsx: tsxEsmApi(), entry: entry.href },
        resourceLimits,
      })
    : new Worker(entry, { resourceLimits });
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply): void => {
      stop();
      worker.unref();
      if (reply.kind === 'ready') resolve(worker);
      else reject(new Error(`the HDF5 worker did not start: ${reply.kind}`));
    };
    const onError = (e: Error): void => {
      stop();
      reject(e);
    };
    const onExit = (code: number): void => {
      stop();
      reject(new Error(`the HDF5 worker exited with code ${code} while starting`));
    };
    // Only our own listeners come off: Worker keeps internal ones of its own.
    const stop = (): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/** tsx's ESM register API (`tsx/esm/api`, import condition), a dev dependency used only when running from source. */
function tsxEsmApi(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href.replace(/loader\.mjs$/, 'esm/api/index.mjs');
}

let worker: Promise<Worker> | undefined;
/** Reads run one at a time: the worker answers requests in order, one file each. */
let queue: Promise<unknown> = Promise.resolve();

function endWorker(w: Worker): void {
  worker = undefined;
  void w.terminate();
}

/** Sends one file to the worker and waits for its snapshot, at most READ_TIME_LIMIT_S. */
async function snapshotOf(bytes: Uint8Array, label: string): Promise<Hdf5Snapshot> {
  worker ??= startWorker();
  let w: Worker;
  try {
    w = await worker;
  } catch (e) {
    worker = undefined;
    throw e;
  }
  const reply = await new Promise<WorkerReply | { kind: 'timeout' } | { kind: 'crashed'; reason: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout' }), READ_TIME_LIMIT_S * 1000);
    const onMessage = (r: WorkerReply): void => settle(r);
    const onError = (e: Error): void => settle({ kind: 'crashed', reason: e.message.split('\n')[0] });
    const onExit = (code: number): void => settle({ kind: 'crashed', reason: `the reader exited with code ${code}` });
    const settle = (r: WorkerReply | { kind: 'crashed'; reason: string }): void => {
      clearTimeout(timer);
      w.off('message', onMessage).off('error', onError).off('exit', onExit);
      w.unref();
      resolve(r);
    };
    w.ref();
    w.on('message', onMessage).on('error', onError).on('exit', onExit);
    w.postMessage({ bytes } satisfies WorkerRequest);
  });
  switch (reply.kind) {
    case 'snapshot':
      return reply.snapshot;
    case 'failed':
      if (reply.poisoned) endWorker(w);
      throw new Hdf5Error(label, reply.reason);
    case 'timeout':
      endWorker(w);
      throw new Hdf5Error(label, `could not be read within ${READ_TIME_LIMIT_S} s (a damaged HDF5 file?)`);
    case 'crashed':
      endWorker(w);
      throw new Hdf5Error(label, `not a readable HDF5 file (${reply.reason})`);
    case 'ready':
      endWorker(w);
      throw new Error('the HDF5 worker answered a read with ready');
  }
}

/**
 * Reads `bytes` as HDF5 and runs `read` on it. `label` names the bytes in
 * errors (e.g. `model.keras: model.weights.h5`).
 */
export function readHdf5<T>(bytes: Uint8Array, label: string, read: (h5: Hdf5Reader) => T): Promise<T> {
  const result = queue.then(() => snapshotOf(bytes, label)).then((snapshot) => read(new SnapshotReader(snapshot, label)));
  queue = result.catch(() => undefined);
  return result;
}

class SnapshotReader implements Hdf5Reader {
  constructor(
    private readonly snapshot: Hdf5Snapshot,
    private readonly label: string,
  ) {}

  private value<T>(read: Read<T>): T {
    if ('error' in read) throw new Hdf5Error(this.label, read.error);
    return read.value;
  }

  private entity(path: string): Hdf5Entity | undefined {
    const key = path.split('/').filter((part) => part !== '').join('/');
    const read = this.snapshot.entities.get(key);
    return read && this.value(read);
  }

  children(path: string): string[] | undefined {
    const e = this.entity(path);
    return e?.children && this.value(e.children);
  }

  isGroup(path: string): boolean {
    return this.entity(path)?.kind === 'group';
  }

  isDataset(path: string): boolean {
    return this.entity(path)?.kind === 'dataset';
  }

  attributeNames(path: string): string[] {
    const e = this.entity(path);
    return e ? [...this.value(e.attributes).keys()] : [];
  }

  attribute(path: string, name: string): unknown {
    const e = this.entity(path);
    const read = e && this.value(e.attributes).get(name);
    return read && this.value(read);
  }

  tensor(path: string): Tensor | undefined {
    const e = this.entity(path);
    return e?.tensor && this.value(e.tensor);
  }
}
