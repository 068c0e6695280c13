/**
 * Reads a bundle's files. In Node a bundle is a directory path or a `file:`
 * URL, read with node:fs (imported dynamically, so a browser never loads it);
 * anywhere else, and for http(s) URLs, files are fetched relative to the
 * bundle's URL. Every file is checked against the manifest's size and
 * SHA-256 (WebCrypto) before it is used.
 */
import { BundleError } from './errors.js';
import type { FileEntry } from './manifest.js';

export type ReadFile = (name: string) => Promise<Uint8Array<ArrayBuffer>>;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

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

/** A reader for the files of the bundle at `location`; a missing file is a BundleError naming it. */
export async function bundleReader(location: string | URL): Promise<{ where: string; read: ReadFile }> {
  const base = await bundleUrl(location);
  const where = base.protocol === 'file:' && typeof location === 'string' ? location : base.href;
  const missing = (name: string, reason: string, cause?: unknown): BundleError =>
    new BundleError(`bundle ${where}: cannot read '${name}' (${reason})`, { cause });
  if (base.protocol === 'file:' && isNode) {
    const { readFile } = await import('node:fs/promises');
    return {
      where,
      read: async (name) => {
        try {
          return new Uint8Array(await readFile(new URL(name, base)));
        } catch (e) {
          const code = (e as { code?: string }).code;
          throw missing(name, code === 'ENOENT' ? 'missing file' : (e as Error).message, e);
        }
      },
    };
  }
  return {
    where,
    read: async (name) => {
      let response: Response;
      try {
        response = await fetch(new URL(name, base));
      } catch (e) {
        throw missing(name, (e as Error).message, e);
      }
      if (!response.ok) throw missing(name, `HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Reads a file and checks it against its manifest entry: a short file is "truncated", other damage a hash mismatch. */
export async function readChecked(read: ReadFile, where: string, name: string, entry: FileEntry): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await read(name);
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
