/**
 * The disk cache of compiled models, so an unchanged model costs nothing on
 * the next build or dev-server start:
 *
 *   <dir>/models/<key hash>.json        the sources the model's last compile read, and its content hash
 *   <dir>/bundles/<content hash>/       bundle.json (name, signature, file names, sources) and the files
 *
 * A lookup reads the model's entry, hashes the sources it lists as they are
 * now, and finds the bundle of that content hash. Entries are written to a
 * temporary folder and renamed into place, so a concurrent build never reads
 * half an entry; a model's previous bundle is removed when a new one replaces it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TensorSpec } from 'tfc-runtime';
import type { ModelBundle } from './model_bundle.js';

interface ModelEntry {
  sources: string[];
  hash: string;
}

interface BundleEntry {
  name: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  files: string[];
  sources: string[];
}

const HEX = /^[0-9a-f]{64}$/;

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export class BundleCache {
  constructor(readonly dir: string) {}

  private modelFile(key: string): string {
    return path.join(this.dir, 'models', `${key}.json`);
  }

  private bundleDir(hash: string): string {
    if (!HEX.test(hash)) throw new Error(`tfc: '${hash}' is not a content hash`);
    return path.join(this.dir, 'bundles', hash);
  }

  /** The sources the last compile of the model with this key read, or undefined if it has none in the cache. */
  async lastSources(key: string): Promise<readonly string[] | undefined> {
    return (await readJson<ModelEntry>(this.modelFile(key)))?.sources;
  }

  /** The bundle with this content hash, or undefined when it is not (completely) in the cache. */
  async read(hash: string): Promise<ModelBundle | undefined> {
    const dir = this.bundleDir(hash);
    const entry = await readJson<BundleEntry>(path.join(dir, 'bundle.json'));
    if (!entry) return undefined;
    try {
      const bytes = await Promise.all(entry.files.map((f) => readFile(path.join(dir, path.basename(f)))));
      const files = new Map(entry.files.map((f, i) => [f, new Uint8Array(bytes[i])]));
      return { hash, name: entry.name, inputs: entry.inputs, outputs: entry.outputs, files, sources: entry.sources };
    } catch {
      return undefined;
    }
  }

  /** Stores `bundle` as the model's current compile. */
  async write(key: string, bundle: ModelBundle): Promise<void> {
    const previous = await readJson<ModelEntry>(this.modelFile(key));
    const target = this.bundleDir(bundle.hash);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await mkdir(temp, { recursive: true });
    const entry: BundleEntry = { name: bundle.name, inputs: [...bundle.inputs], outputs: [...bundle.outputs], files: [...bundle.files.keys()], sources: [...bundle.sources] };
    await Promise.all([...bundle.files].map(([name, bytes]) => writeFile(path.join(temp, path.basename(name)), bytes)));
    // bundle.json last: a folder without it is never read as a bundle.
    await writeFile(path.join(temp, 'bundle.json'), JSON.stringify(entry));
    // Another build may have stored the same content meanwhile: then its copy stays.
    await rename(temp, target).catch(() => rm(temp, { recursive: true, force: true }));
    await mkdir(path.dirname(this.modelFile(key)), { recursive: true });
    const modelTemp = `${this.modelFile(key)}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(modelTemp, JSON.stringify({ sources: [...bundle.sources], hash: bundle.hash } satisfies ModelEntry));
    await rename(modelTemp, this.modelFile(key));
    if (previous && previous.hash !== bundle.hash && HEX.test(previous.hash)) await rm(this.bundleDir(previous.hash), { recursive: true, force: true });
  }
}
