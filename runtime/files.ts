/**
 * Reads a bundle's files. In Node a bundle is a directory path or a `file:`
 * URL, read with node:fs (imported dynamically, so a browser never loads it);
 * anywhere else, and for http(s) URLs, files are fetched relative to the
 * bundle's URL. Every file is checked against the manifest's size and
 * SHA-256 (WebCrypto) before it is used.
 *
 * A manifest is not trusted to name files: only plain names (`weights.bin`,
 * no folders, `..`, `%` escapes or URLs) are read, a file that resolves
 * (through a symlink) outside the bundle folder or is not a regular file
 * (a FIFO, /dev/zero) is refused before it is read, and no file is read past
 * the size the manifest gives it (manifest.json itself: MAX_MANIFEST_BYTES).
 */
import { BundleError } from './errors.js';
import { MAX_MANIFEST_BYTES } from './limits.js';
import type { FileEntry } from './manifest.js';
/** Reads a bundle file of at most `maxBytes` bytes (default MAX_MANIFEST_BYTES, for manifest.json). */
export type ReadFile = (name: string, maxBytes?: number) => Promise<Uint8Array<ArrayBuffer>>;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** A file name that can only mean a file in the bundle folder itself. */
const PLAIN_NAME = /^(?!\.\.?$)[\w.-]+$/;

function withSlash(url: URL): URL {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

async function bundleUrl(location: string | URL): Promise<URL> {
  if (location instanceof URL) return withSlash(location);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return withSlash(new URL(location));
  if (isNode) {
    const { pathToFileURL } = await import('node:url');
    return withSlash(pathToFileURL(location));
  }
  return withSlash(new URL(location, globalThis.location?.href));
}

/** Node: the file, refused unless it is a regular file in the bundle folder no larger than `max`, read without blocking. */
async function readLocal(base: URL, url: URL, max: number, fail: (reason: string) => never): Promise<Uint8Array<ArrayBuffer>> {
  const [{ open, realpath }, { constants }, { dirname }] = await Promise.all([import('node:fs/promises'), import('node:fs'), import('node:path')]);
  const real = await realpath(url);
  if (dirname(real) !== (await realpath(base))) fail(`it resolves to ${real}, outside the bundle folder`);
  const handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) fail('not a regular file');
    if (stats.size > max) fail(`${stats.size} bytes, more than the ${max} expected`);
    const bytes = new Uint8Array(stats.size);
    for (let done = 0, n = 1; done < bytes.length && n > 0; done += n) n = (await handle.read(bytes, done, bytes.length - done, done)).bytesRead;
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Fetched: the body, cut off as soon as it passes `max` bytes. */
async function readFetched(url: URL, max: number, fail: (reason: string) => never): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) fail(`HTTP ${response.status}`);
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const reader = response.body!.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > max) {
      await reader.cancel();
      fail(`more than the ${max} bytes expected`);
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(length);
  parts.reduce((at, part) => (bytes.set(part, at), at + part.length), 0);
  return bytes;
}

/** A reader for the files of the bundle at `location`; a file it cannot or may not read is a BundleError naming it. */
export async function bundleReader(location: string | URL): Promise<{ where: string; read: ReadFile }> {
  const base = await bundleUrl(location);
  const where = base.protocol === 'file:' && typeof location === 'string' ? location : base.href;
  const local = base.protocol === 'file:' && isNode;
  return {
    where,
    read: async (name, max = MAX_MANIFEST_BYTES) => {
      const fail = (reason: string, cause?: unknown): never => {
        throw new BundleError(`bundle ${where}: cannot read '${name}' (${reason})`, { cause });
      };
      // A plain name can only resolve to a file directly under the base URL.
      if (!PLAIN_NAME.test(name)) fail('not a plain file name in the bundle folder');
      const url = new URL(name, base);
      try {
        return await (local ? readLocal(base, url, max, fail) : readFetched(url, max, fail));
      } catch (e) {
        if (e instanceof BundleError) throw e;
        const code = (e as { code?: string }).code;
        return fail(code === 'ENOENT' ? 'missing file' : (e as Error).message, e);
      }
    },
  };
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Reads a file and checks it against its manifest entry: a short file is "truncated", other damage a hash mismatch. */
export async function readChecked(read: ReadFile, where: string, name: string, entry: FileEntry): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await read(name, entry.bytes);
  if (bytes.length !== entry.bytes) {
    const what = bytes.length < entry.bytes ? 'truncated' : 'the wrong size';
    throw new BundleError(`bundle ${where}: '${name}' is ${what}: ${bytes.length} bytes, the manifest says ${entry.bytes}`);
  }
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256) {
    throw new BundleError(`bundle ${where}: '${name}' is corrupt: its SHA-256 is ${hash}, the manifest says ${entry.sha256}`);
  }
  return bytes;
}
