/**
 * Reads a bundle's files. A bundle is a folder or a map of files. In Node a
 * folder is a directory path or a `file:` URL, read with node:fs (in
 * node_files.ts, which tfc-runtime's browser build leaves out); anywhere else,
 * and for http(s) URLs, files are fetched relative to the folder's URL. A map
 * names each file's own URL (or, in Node, path), for bundlers that emit every
 * file under a hashed name. Every file is checked against the manifest's size
 * and SHA-256 (WebCrypto) before it is used.
 *
 * A manifest is not trusted to name files: only plain names (`weights.bin`,
 * no folders, `..`, `%` escapes or URLs) are read, a file of a folder that
 * resolves (through a symlink) outside that folder, or any file that is not a
 * regular file (a FIFO, /dev/zero), is refused before it is read, and no file
 * is read past the size the manifest gives it (manifest.json itself:
 * MAX_MANIFEST_BYTES).
 */
import { BundleError } from './errors.js';
import { MAX_MANIFEST_BYTES } from './limits.js';
import type { FileEntry } from './manifest.js';
import { nodeFiles } from './node_files.js';

/** A bundle as a map: each file name (manifest.json included) to its URL (http(s) or relative, fetched; in Node also a path or a file: URL). */
export interface BundleFiles {
  files: Readonly<Record<string, string | URL>>;
}

/** Reads a bundle file of at most `maxBytes` bytes (default MAX_MANIFEST_BYTES, for manifest.json). */
export type ReadFile = (name: string, maxBytes?: number) => Promise<Uint8Array<ArrayBuffer>>;

/** A file name that can only mean a file in the bundle folder itself. */
const PLAIN_NAME = /^(?!\.\.?$)[\w.-]+$/;

function withSlash(url: URL): URL {
  return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
}

/** A string as a URL: as it is when it has a scheme; otherwise a path in Node, and relative to the page elsewhere. */
async function toUrl(location: string): Promise<URL> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return new URL(location);
  return nodeFiles ? nodeFiles.fileUrl(location) : new URL(location, globalThis.location?.href);
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

/** Where a bundle file is: its URL, and the folder it must stay in when the bundle is a folder. */
type Locate = (name: string) => Promise<{ url: URL; folder?: URL } | undefined>;

function reader(where: string, locate: Locate): ReadFile {
  return async (name, max = MAX_MANIFEST_BYTES) => {
    const fail = (reason: string, cause?: unknown): never => {
      throw new BundleError(`bundle ${where}: cannot read '${name}' (${reason})`, { cause });
    };
    // A plain name can only resolve to a file directly under a folder's URL.
    if (!PLAIN_NAME.test(name)) fail('not a plain file name in the bundle folder');
    try {
      const at = (await locate(name)) ?? fail('the file map has no entry for it');
      return await (at.url.protocol === 'file:' && nodeFiles ? nodeFiles.read(at.url, at.folder, max, fail) : readFetched(at.url, max, fail));
    } catch (e) {
      if (e instanceof BundleError) throw e;
      const code = (e as { code?: string }).code;
      return fail(code === 'ENOENT' ? 'missing file' : (e as Error).message, e);
    }
  };
}

/** A reader for the files of the bundle at `location`; a file it cannot or may not read is a BundleError naming it. */
export async function bundleReader(location: string | URL | BundleFiles): Promise<{ where: string; read: ReadFile }> {
  if (typeof location === 'string' || location instanceof URL) {
    const base = withSlash(location instanceof URL ? location : await toUrl(location));
    const where = base.protocol === 'file:' && typeof location === 'string' ? location : base.href;
    return { where, read: reader(where, async (name) => ({ url: new URL(name, base), folder: base })) };
  }
  const files = location?.files;
  if (typeof files !== 'object' || files === null) throw new BundleError('loadModel needs a bundle folder, its URL, or { files: { [name]: url } }');
  const has = (name: string): boolean => Object.hasOwn(files, name);
  const where = has('manifest.json') ? String(files['manifest.json']) : 'file map';
  return {
    where,
    read: reader(where, async (name) => {
      if (!has(name)) return undefined;
      const file = files[name];
      return { url: file instanceof URL ? file : await toUrl(file) };
    }),
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
