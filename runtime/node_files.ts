/**
 * Node's part of reading a bundle: a path as a `file:` URL, and a local file
 * read with node:fs. The node: modules are imported dynamically, so the
 * universal build of tfc-runtime (dist/index.mjs, also the copy a bundle
 * carries) loads them only in Node. Its browser build (dist/index.browser.mjs)
 * takes node_files_browser.ts in place of this module, so it names no node:
 * module at all and bundlers have nothing to externalize.
 */

/** What only Node can do with a bundle's files. */
export interface NodeFiles {
  /** A local path as a `file:` URL. */
  fileUrl(path: string): Promise<URL>;
  /** The local file at `url`, refused unless it is a regular file (in `folder`, when given) no larger than `max`; read without blocking. */
  read(url: URL, folder: URL | undefined, max: number, fail: (reason: string) => never): Promise<Uint8Array<ArrayBuffer>>;
}

async function fileUrl(path: string): Promise<URL> {
  const { pathToFileURL } = await import('node:url');
  return pathToFileURL(path);
}

async function readLocal(url: URL, folder: URL | undefined, max: number, fail: (reason: string) => never): Promise<Uint8Array<ArrayBuffer>> {
  const [{ open, realpath }, { constants }, { dirname }] = await Promise.all([import('node:fs/promises'), import('node:fs'), import('node:path')]);
  const real = await realpath(url);
  if (folder && dirname(real) !== (await realpath(folder))) fail(`it resolves to ${real}, outside the bundle folder`);
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

const isNode = typeof globalThis.process?.versions?.node === 'string';

/** Node's file access; undefined anywhere else. */
export const nodeFiles: NodeFiles | undefined = isNode ? { fileUrl, read: readLocal } : undefined;
