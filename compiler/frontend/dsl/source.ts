/**
 * Where in the user's source a layer was created or applied, so a model
 * error can point at the offending line. Frames inside tfc itself (source or
 * built), Node internals and node_modules are skipped, and so are frames
 * without a real file (e.g. code evaluated from a data: URL), since their
 * positions would not point into anything the user wrote.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `compiler/` folder this file lives in (or `dist/compiler/` when built). */
const COMPILER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_ROOT = path.resolve(COMPILER_DIR, path.basename(path.dirname(COMPILER_DIR)) === 'dist' ? '../..' : '..');
/** tfc's own code, source and built: the DSL may run from one while the CLI runs from the other. */
const OWN_DIRS = [path.join(PACKAGE_ROOT, 'compiler') + path.sep, path.join(PACKAGE_ROOT, 'dist', 'compiler') + path.sep];

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

function frameFile(raw: string): string {
  return raw.startsWith('file://') ? fileURLToPath(raw) : raw;
}

function isOwnOrLibrary(file: string): boolean {
  return (
    file.startsWith('node:') ||
    OWN_DIRS.some((dir) => file.startsWith(dir)) ||
    file.includes(`${path.sep}node_modules${path.sep}`) ||
    !path.isAbsolute(file)
  );
}

/** `file:line:column` of the nearest caller outside tfc, or undefined when there is none. */
export function callerLocation(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  let stackOwnDir: string | undefined;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = frameFile(m[1]);
    // The first frame is this function: it names tfc's compiler/ folder as this stack does (the built
    // file, or with source maps on — vitest, --enable-source-maps — the source the map points at).
    stackOwnDir ??= path.resolve(path.dirname(file), '../..') + path.sep;
    if (isOwnOrLibrary(file) || file.startsWith(stackOwnDir)) continue;
    const rel = path.relative(process.cwd(), file);
    const shown = rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
    return `${shown}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
