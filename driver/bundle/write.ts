/**
 * Writes a bundle folder all or nothing: the files go into a fresh sibling
 * temp folder, which replaces the destination in one synchronous step at the
 * end. Only what replaceable.ts allows is replaced. On any error, SIGINT or
 * SIGTERM, the temp folder and any parent folders this write created are
 * removed and the destination is left as it was.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, interruptible } from '../../compiler/io/interruptible.js';
import { BundleWriteError, checkReplaceable, type ProtectedPlace } from './replaceable.js';

export { BundleWriteError, checkReplaceable, type ProtectedPlace } from './replaceable.js';

const removeTree = (p: string): void => rmSync(p, { recursive: true, force: true, maxRetries: 3 });

/** Moves `temp` to `out`, replacing what is there (checked once more first); synchronous, so no signal lands in between. */
function commit(out: string, temp: string, old: string, places: readonly ProtectedPlace[]): void {
  checkReplaceable(out, places);
  const target = path.resolve(out);
  const replacing = existsSync(target);
  if (replacing) renameSync(target, old);
  try {
    renameSync(temp, target);
  } catch (e) {
    if (replacing) renameSync(old, target);
    throw e;
  }
  if (replacing) removeTree(old);
}

/** Writes `files` (name → bytes) as the folder `out`; `places` are kept from being replaced as in checkReplaceable. */
export async function writeBundleDir(out: string, files: ReadonlyMap<string, Uint8Array>, places: readonly ProtectedPlace[] = []): Promise<void> {
  checkReplaceable(out, places);
  const target = path.resolve(out);
  const parent = path.dirname(target);
  const tag = `.${path.basename(target)}.tfc-${process.pid}`;
  const temp = path.join(parent, `${tag}.tmp`);
  let createdParent: string | undefined;
  const cleanup = (): void => {
    removeTree(temp);
    if (createdParent !== undefined) removeTree(createdParent);
  };
  try {
    await interruptible(`--out ${out}`, cleanup, async (signal) => {
      createdParent = await mkdir(parent, { recursive: true });
      signal.throwIfAborted();
      removeTree(temp);
      await mkdir(temp);
      for (const [name, bytes] of files) {
        signal.throwIfAborted();
        await writeFile(path.join(temp, name), bytes);
      }
      signal.throwIfAborted();
      commit(out, temp, path.join(parent, `${tag}.old`), places);
    });
  } catch (e) {
    if (e instanceof InterruptedError || e instanceof BundleWriteError) throw e;
    throw new BundleWriteError(`cannot write the bundle to ${out}: ${(e as Error).message}`, { cause: e });
  }
}
