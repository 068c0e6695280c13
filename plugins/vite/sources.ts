/**
 * Content hashes. A compiled model is named by the SHA-256 of everything its
 * bytes depend on: the compiler (compiler_identity.ts), the plugin's compile
 * options, the model's path and the bytes of every file it was read from.
 * The same inputs give the same name, so an unchanged model is found in the
 * cache, and any edited weight file gives a new name.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** What a compile depends on besides its sources. */
export interface CompileKey {
  /** compilerIdentity() */
  compiler: string;
  /** The compile options, as a canonical string. */
  options: string;
  /** The model's absolute path. */
  model: string;
}

/** The name of a model's entry in the cache: the compiler, the options and the model path, not its bytes. */
export function keyHash(key: CompileKey): string {
  return sha256(JSON.stringify(['vite-plugin-tfc key 1', key.compiler, key.options, key.model]));
}

/** SHA-256 of each file's bytes, or undefined when one cannot be read (deleted, renamed). */
export async function digestFiles(files: readonly string[]): Promise<Map<string, string> | undefined> {
  const digests = await Promise.all(files.map((f) => readFile(f).then(sha256, () => undefined)));
  if (digests.some((d) => d === undefined)) return undefined;
  return new Map(files.map((f, i) => [f, digests[i] as string]));
}

/** The content hash of a compile: its key and the digest of every source, in path order. */
export function contentHash(key: CompileKey, digests: ReadonlyMap<string, string>): string {
  const sources = [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(JSON.stringify(['vite-plugin-tfc content 1', key.compiler, key.options, key.model, sources]));
}
