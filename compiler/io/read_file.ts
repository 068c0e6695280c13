/**
 * Reading the files a model names, without trusting what they are. A model
 * file may name its weight files; those names must stay inside the model's
 * folder (after symlinks), and every file read must be a regular file no
 * larger than what is expected of it. Files are opened non-blocking and
 * checked with fstat before a byte is read, so a FIFO, /dev/zero or
 * /dev/urandom is refused at once instead of hanging while memory grows.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../limits.js';
import { noteRead } from './read_log.js';

/** Why a file cannot be read; callers wrap the reason into their own error naming the model file. */
export class FileAccessError extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'FileAccessError';
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  return `cannot be read (${e instanceof Error ? e.message : String(e)})`;
}

/** A regular file opened for reading, its size fixed by fstat at open. */
export class RegularFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Opens `file` without blocking (a FIFO opens at once) and refuses anything but a regular file. */
  static async open(file: string): Promise<RegularFile> {
    let handle: FileHandle;
    noteRead(file);
    try {
      handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw new FileAccessError(ioReason(e), { cause: e });
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new FileAccessError(`is ${kindOf(stats)}, not a regular file`);
      return new RegularFile(handle, stats.size);
    } catch (e) {
      await handle.close();
      throw e instanceof FileAccessError ? e : new FileAccessError(ioReason(e), { cause: e });
    }
  }

  /** Reads exactly `size` bytes into `into` at `at` (a fresh buffer by default); a file that shrank is an error. */
  async read(into = new Uint8Array(this.size), at = 0): Promise<Uint8Array> {
    let done = 0;
    while (done < this.size) {
      const { bytesRead } = await this.handle.read(into, at + done, this.size - done, done);
      if (bytesRead === 0) throw new FileAccessError(`shrank to ${done} bytes while it was read (it had ${this.size})`);
      done += bytesRead;
    }
    return into.subarray(at, at + this.size);
  }

  /** The first `length` bytes (fewer when the file is shorter), for telling file kinds apart. */
  async head(length: number): Promise<Uint8Array> {
    const into = new Uint8Array(Math.min(length, this.size));
    const { bytesRead } = await this.handle.read(into, 0, into.length, 0);
    return into.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Reads a whole regular file of at most `maxBytes` bytes; `what` names the limit in the message ("a model.json"). */
export async function readRegularFile(file: string, maxBytes: number, what: string): Promise<Uint8Array> {
  const f = await RegularFile.open(file);
  try {
    if (f.size > maxBytes) {
      throw new FileAccessError(`is ${formatBytes(f.size)}; the limit for ${what} is ${formatBytes(maxBytes)}`);
    }
    return await f.read();
  } finally {
    await f.close();
  }
}

/**
 * The real path of `name`, a path relative to `folder`, refusing absolute
 * paths, URLs and anything that resolves (through `..` or a symlink) outside
 * the real path of `folder`.
 */
export async function resolveInside(folder: string, name: string): Promise<string> {
  if (name === '' || name.includes('\0')) throw new FileAccessError('is not a file name');
  if (path.posix.isAbsolute(name) || path.win32.isAbsolute(name)) {
    throw new FileAccessError('is an absolute path; a model may only name files inside its own folder');
  }
  // `file:`, `http:` and drive letters (`C:`): a model names files, never URLs or other volumes.
  if (/^[a-z][a-z0-9+.-]*:/i.test(name)) throw new FileAccessError('is a URL; a model may only name files inside its own folder');
  let realFolder: string;
  let real: string;
  const lookedFor = path.resolve(folder, name);
  try {
    realFolder = await realpath(folder);
    real = await realpath(lookedFor);
  } catch (e) {
    throw new FileAccessError(`${ioReason(e)} (looked for ${lookedFor})`, { cause: e });
  }
  const relative = path.relative(realFolder, real);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new FileAccessError(`resolves to ${real}, outside the model's folder ${realFolder}; a model may only name files inside its own folder`);
  }
  return real;
}
