/**
 * Imports a model module afresh on every load, so that in a long-lived
 * process (the compile API under a dev server) an edited model module, or an
 * edited local module it imports, is traced again, and reports the local
 * files each load read:
 *  - ES modules: the model is imported with a query unique to the load
 *    (`?tfc-load=N`), and a resolve hook gives the same query to every local
 *    module a module of that load imports, so each is a new instance;
 *  - CommonJS (tsx compiles .ts as CommonJS outside an ESM package): the
 *    local files a load added to require.cache are taken out of it again.
 * Packages (anything under node_modules) and tfc's own files keep their one
 * instance, so the model shares the DSL the compiler runs.
 */
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** tfc's own code, from source (the repository) or built (the package's dist/). */
const OWN_ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
const OWN_DIRS = ['compiler', 'driver', 'runtime', 'targets', 'packages'].map((d) => path.join(OWN_ROOT, d) + path.sep);

/** A file of the user's own (not a package, not tfc). */
function isLocal(file: string): boolean {
  return !file.split(path.sep).includes('node_modules') && !OWN_DIRS.some((dir) => file.startsWith(dir));
}

/** The resolve hook (see the file comment), run by Node's module hooks. */
const HOOKS = `
import path from 'node:path';
import { fileURLToPath } from 'node:url';
let ownDirs = [];
export function initialize(data) {
  ownDirs = data.ownDirs;
}
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const load = context.parentURL?.startsWith('file:') ? new URL(context.parentURL).searchParams.get('tfc-load') : null;
  if (load === null || !resolved.url.startsWith('file:')) return resolved;
  const url = new URL(resolved.url);
  const file = fileURLToPath(url);
  if (url.searchParams.has('tfc-load') || file.split(path.sep).includes('node_modules') || ownDirs.some((d) => file.startsWith(d))) return resolved;
  url.searchParams.set('tfc-load', load);
  return { ...resolved, url: url.href };
}
`;

let hooked = false;
let loads = 0;
const cjsCache = createRequire(import.meta.url).cache;

/**
 * Imports `file` (with the caller's loader hooks, tsx, on) as a new instance,
 * with its local imports; `onFile` gets the path of every local CommonJS
 * module the load read (tsx's onImport reports the ES modules).
 */
export async function importFresh(file: string, onFile: (file: string) => void): Promise<unknown> {
  if (!hooked) {
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { ownDirs: OWN_DIRS } });
    hooked = true;
  }
  const before = new Set(Object.keys(cjsCache));
  try {
    return await import(`${pathToFileURL(path.resolve(file)).href}?tfc-load=${++loads}`);
  } finally {
    for (const key of Object.keys(cjsCache)) {
      if (before.has(key) || !isLocal(key)) continue;
      onFile(key);
      delete cjsCache[key];
    }
  }
}

/** The local module file behind a module URL tsx reports as imported, if it is one. */
export function localModuleFile(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const file = fileURLToPath(url);
  return isLocal(file) ? file : undefined;
}
