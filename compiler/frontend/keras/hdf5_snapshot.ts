/**
 * What the HDF5 worker (hdf5_worker.ts) sends back for one file: every
 * group and dataset with its attributes, members and data, read eagerly so
 * the library runs only inside the worker. A part HDF5 could not read keeps
 * its reason, and the reader raises it only when that part is asked for.
 */
import type { Tensor } from '../../ir/tensor.js';

/** A value, or why HDF5 could not read it. */
export type Read<T> = { value: T } | { error: string };

export interface Hdf5Entity {
  kind: 'group' | 'dataset';
  attributes: Read<Map<string, Read<unknown>>>;
  /** Groups: member names. */
  children?: Read<string[]>;
  /** Datasets: the data as f32, or why not (damage, an unsupported dtype, a size limit). */
  tensor?: Read<Tensor>;
}

/** Keyed by path relative to the root, without leading or trailing '/' ('' is the root). */
export interface Hdf5Snapshot {
  entities: Map<string, Read<Hdf5Entity | undefined>>;
}

/** The worker's answer to one request. */
export type WorkerReply = { kind: 'ready' } | { kind: 'snapshot'; snapshot: Hdf5Snapshot } | { kind: 'failed'; reason: string; poisoned: boolean };

/** The main thread's request: one file's bytes. */
export interface WorkerRequest {
  bytes: Uint8Array;
}
