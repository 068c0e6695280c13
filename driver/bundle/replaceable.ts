/**
 * Whether `tfc build --out DIR` may replace what is at DIR. Replacing deletes
 * it, so only what provably holds nothing of the user's is replaced: nothing
 * at all, an empty folder, or a folder that is a tfc bundle, i.e. its
 * manifest.json parses as a bundle manifest (the runtime's own parser) and
 * every other entry is a regular file the manifest lists. Anything else (a
 * file, a symbolic link, a folder with other files or any subfolder) is
 * refused with the reason. The filesystem root, the home directory, the
 * current directory and the model's own folder are never replaced, nor is any
 * folder that contains one of them.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, type Dirent, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseManifest } from '../../runtime/manifest.js';
import { formatBytes, MAX_MANIFEST_BYTES } from '../../runtime/limits.js';

/** The file the runtime reads first (assemble.ts's MANIFEST_FILE); not imported from there, which would load ts-morph before a refusal. */
const MANIFEST_FILE = 'manifest.json';

export class BundleWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BundleWriteError';
  }
}

/** A place that is never replaced, and how to name it in a message. */
export interface ProtectedPlace {
  path: string;
  label: string;
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** An entry of a folder for a message: "'notes.txt'", "the folder 'css'". */
function describe(entry: Dirent): string {
  if (entry.isFile()) return `'${entry.name}'`;
  if (entry.isDirectory()) return `the folder '${entry.name}'`;
  if (entry.isSymbolicLink()) return `the symbolic link '${entry.name}'`;
  return `'${entry.name}' (not a regular file)`;
}

/** The first place `real` is or contains, as the reason to refuse it. */
function protectedReason(real: string, places: readonly ProtectedPlace[]): string | undefined {
  for (const place of places) {
    let placeReal: string;
    try {
      placeReal = realpathSync(place.path);
    } catch {
      continue;
    }
    if (placeReal === real) return `it is ${place.label}`;
    const inside = path.relative(real, placeReal);
    if (inside !== '..' && !inside.startsWith(`..${path.sep}`) && !path.isAbsolute(inside)) return `it contains ${place.label}`;
  }
  return undefined;
}

/** Why the folder `dir` is not provably a tfc bundle, or undefined when it is one (or empty). */
function notABundle(dir: string): string | undefined {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.length === 0) return undefined;
  const manifest = entries.find((e) => e.name === MANIFEST_FILE);
  if (!manifest) return `it holds ${describe(entries[0])} and no ${MANIFEST_FILE}, so it is not a tfc bundle`;
  if (!manifest.isFile()) return `it holds ${describe(manifest)}, not a tfc bundle manifest`;
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const size = lstatSync(manifestPath).size;
  if (size > MAX_MANIFEST_BYTES) return `its ${MANIFEST_FILE} is ${formatBytes(size)}, more than a tfc bundle's`;
  let listed: Record<string, unknown>;
  try {
    // Decoded as the runtime decodes it (runtime/index.ts): TextDecoder drops a UTF-8 byte order mark.
    listed = parseManifest(new TextDecoder().decode(readFileSync(manifestPath)), 'it is not a tfc bundle').files;
  } catch (e) {
    return (e as Error).message;
  }
  for (const entry of entries) {
    if (entry.name === MANIFEST_FILE) continue;
    if (!Object.hasOwn(listed, entry.name) || !entry.isFile()) return `it holds ${describe(entry)}, which is not part of a tfc bundle`;
  }
  return undefined;
}

/** Why `out` cannot be written, or undefined; a missing `out` needs an existing folder as its nearest existing ancestor. */
function refusal(out: string, places: readonly ProtectedPlace[]): string | undefined {
  const stats = lstatOrUndefined(out);
  if (stats === undefined) {
    let ancestor = path.dirname(path.resolve(out));
    let found = lstatOrUndefined(ancestor);
    while (found === undefined) {
      ancestor = path.dirname(ancestor);
      found = lstatOrUndefined(ancestor);
    }
    const real = realpathSync(ancestor);
    return lstatSync(real).isDirectory() ? undefined : `'${ancestor}' is not a folder`;
  }
  if (stats.isSymbolicLink()) return 'it is a symbolic link (give the folder itself)';
  if (!stats.isDirectory()) return 'it is a file, not a folder';
  return protectedReason(realpathSync(out), places) ?? notABundle(out);
}

/**
 * Throws a BundleWriteError naming `out` and the reason unless it may be
 * replaced by a new bundle (see the file comment). `extra` adds places of the
 * caller's to the ones never replaced (e.g. the model's folder).
 */
export function checkReplaceable(out: string, extra: readonly ProtectedPlace[] = []): void {
  const places: ProtectedPlace[] = [
    { path: '/', label: 'the filesystem root' },
    { path: os.homedir(), label: 'the home directory' },
    { path: process.cwd(), label: 'the current directory' },
    ...extra,
  ];
  let reason: string | undefined;
  try {
    reason = refusal(out, places);
  } catch (e) {
    reason = `it cannot be examined (${(e as Error).message})`;
  }
  if (reason !== undefined) {
    throw new BundleWriteError(`refusing to write the bundle to --out ${out}: ${reason}; only a missing or empty folder or an earlier tfc bundle is replaced`);
  }
}
