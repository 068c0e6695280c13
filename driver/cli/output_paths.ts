/**
 * The --output files of `tfc run` and `tfc predict`, checked before anything
 * runs so that a bad one fails the command with nothing written: each must be
 * a new file, an empty one or an existing .npy file (not a folder, link,
 * device or any other file) in an existing, writable folder; no two may be the same file however spelled
 * (`y.npy`, `./y.npy`, a hard link); none may be an input or the model. The
 * outputs are then moved into place together, in one synchronous step.
 */
import { accessSync, closeSync, constants, lstatSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CliError } from './errors.js';

export interface OutputFile {
  /** The path as given on the command line. */
  path: string;
  /** Whether a file was there before (it is replaced). */
  existed: boolean;
}

/** A file the outputs must never replace, and how a message names it ("--input 'x.npy'"). */
export interface KeptFile {
  path: string;
  label: string;
}

function statOrUndefined(p: string, stat: (p: string) => Stats): Stats | undefined {
  try {
    return stat(p);
  } catch {
    return undefined;
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');

/** Whether the regular file `file` starts like a .npy file: only those are replaced, so a mistyped --output cannot destroy a model or source file. */
function isNpy(file: string): boolean {
  const head = Buffer.alloc(NPY_MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(NPY_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** What makes two paths the same file: the inode when it exists, else the real folder and the name. */
function identity(p: string, stats: Stats | undefined): string {
  if (stats) return `inode ${stats.dev}:${stats.ino}`;
  return path.join(realpathSync(path.dirname(path.resolve(p))), path.basename(p));
}

/** Checks one --output path; returns it with whether it exists, or throws a CliError naming it. */
function checkOne(file: string): { output: OutputFile; stats: Stats | undefined } {
  const where = `--output '${file}'`;
  const stats = statOrUndefined(file, lstatSync);
  if (stats && !stats.isFile()) throw new CliError(`${where} is ${kindOf(stats)}; give the path of a .npy file to write`);
  if (stats && stats.size > 0 && !isNpy(file)) throw new CliError(`${where} exists and is not a .npy file; refusing to overwrite it`);
  const folder = path.dirname(path.resolve(file));
  const folderStats = statOrUndefined(folder, statSync);
  if (!folderStats) throw new CliError(`the folder '${path.dirname(file)}' of ${where} does not exist`);
  if (!folderStats.isDirectory()) throw new CliError(`'${path.dirname(file)}' in ${where} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new CliError(`the folder '${path.dirname(file)}' of ${where} is not writable`);
  }
  return { output: { path: file, existed: stats !== undefined }, stats };
}

/** Checks every --output (see the file comment) against each other and against `kept`. */
export function checkOutputPaths(files: readonly string[], kept: readonly KeptFile[]): OutputFile[] {
  const keptIds = new Map<string, string>();
  for (const k of kept) {
    const stats = statOrUndefined(k.path, statSync);
    if (stats) keptIds.set(identity(k.path, stats), k.label);
  }
  const seen = new Map<string, string>();
  return files.map((file) => {
    const { output, stats } = checkOne(file);
    const id = identity(file, stats);
    const keptLabel = keptIds.get(id);
    if (keptLabel !== undefined) throw new CliError(`--output '${file}' is ${keptLabel}; refusing to overwrite it`);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new CliError(`--output '${earlier}' and --output '${file}' are the same file; give each output a file of its own`);
    seen.set(id, file);
    return output;
  });
}

/**
 * Moves each temp file onto its output. Runs synchronously (no signal lands
 * in between) right after the paths are checked once more (the kept files
 * cannot have become outputs meanwhile); should a rename
 * still fail, the outputs this run had created are removed again.
 */
export function commitOutputs(files: readonly OutputFile[], temps: readonly string[]): void {
  checkOutputPaths(files.map((f) => f.path), []);
  const moved: OutputFile[] = [];
  try {
    files.forEach((f, i) => {
      renameSync(temps[i], f.path);
      moved.push(f);
    });
  } catch (e) {
    for (const f of moved) if (!f.existed) rmSync(f.path, { force: true });
    throw new CliError(`cannot write --output '${files[moved.length].path}': ${(e as Error).message}`, { cause: e });
  }
}
