/**
 * Which files a piece of work read: `recordReads(work)` runs `work` and
 * returns, with its result, the absolute path of every file opened through
 * read_file.ts while it ran (in its async context, so concurrent work is not
 * mixed in). The compile API reports them as a model's sources, for
 * watchers and caches.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';

/**
 * One store per process, shared by every copy of this module: a DSL model
 * may import another copy of tfc (e.g. the built package while the
 * compiler runs from source), whose reads must be seen too.
 */
const SHARED = Symbol.for('tfc.readLog');
const holder = globalThis as { [SHARED]?: AsyncLocalStorage<Set<string>> };
const reads = (holder[SHARED] ??= new AsyncLocalStorage<Set<string>>());

/** Records that `file` was opened for reading, if anyone is recording. */
export function noteRead(file: string): void {
  reads.getStore()?.add(path.resolve(file));
}

export async function recordReads<T>(work: () => Promise<T>): Promise<{ result: T; files: string[] }> {
  const files = new Set<string>();
  const result = await reads.run(files, work);
  return { result, files: [...files] };
}
