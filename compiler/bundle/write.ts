/**
 * Writes a bundle folder so that nothing is ever half-written: the files go
 * into a fresh sibling temp folder, which is renamed into place. An existing
 * bundle at the destination is replaced; any other existing non-empty folder
 * or file is left alone and reported.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from './assemble.js';

export class BundleWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BundleWriteError';
  }
}

async function checkReplaceable(out: string): Promise<void> {
  if (!existsSync(out)) return;
  if (!(await stat(out)).isDirectory()) throw new BundleWriteError(`--out ${out} exists and is not a directory`);
  const entries = await readdir(out);
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new BundleWriteError(`--out ${out} is a non-empty directory that is not a tfc bundle; refusing to overwrite it`);
  }
}

export async function writeBundleDir(out: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  await checkReplaceable(out);
  const parent = path.dirname(path.resolve(out));
  const base = path.basename(out);
  const temp = path.join(parent, `.${base}.tfc-${process.pid}.tmp`);
  const old = path.join(parent, `.${base}.tfc-${process.pid}.old`);
  try {
    await mkdir(parent, { recursive: true });
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp);
    for (const [name, bytes] of files) await writeFile(path.join(temp, name), bytes);
    if (existsSync(out)) await rename(out, old);
    await rename(temp, out);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(out)) await rename(old, out);
    throw new BundleWriteError(`cannot write the bundle to ${out}: ${(e as Error).message}`, { cause: e });
  }
  await rm(old, { recursive: true, force: true });
}
