/**
 * Reading chosen entries of a zip archive (a `.keras` file) without trusting
 * it. The central directory is listed first, so an entry's declared size is
 * checked against a limit before a byte of it is inflated, and entries that
 * are not asked for are never decompressed. Inflating is streamed through
 * fflate in small slices and stops as soon as the output passes the declared
 * size, so a lying size header costs neither memory nor minutes.
 */
import { Inflate } from 'fflate';
import { formatBytes } from '../../limits.js';

/** The archive is malformed, or (`overLimit`) an entry is larger than allowed; the message says which. */
export class ZipError extends Error {
  constructor(
    message: string,
    readonly overLimit = false,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  name: string;
  /** 0 (stored) or 8 (deflate); anything else is refused when extracted. */
  method: number;
  compressedSize: number;
  /** The uncompressed size the archive declares. */
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;
/** Compressed bytes inflated per step: at most ~1032x that is produced before the output is checked. */
const INFLATE_SLICE = 16 * 1024;

class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(at: number, length: number): void {
    if (at < 0 || at + length > this.bytes.length) throw new ZipError('a zip record runs past the end of the file');
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }
  u64(at: number): number {
    this.check(at, 8);
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('a zip64 size or offset is out of range');
    return Number(value);
  }
  text(at: number, length: number): string {
    this.check(at, length);
    return new TextDecoder().decode(this.bytes.subarray(at, at + length));
  }
}

/** The end-of-central-directory record: where the directory starts and how many entries it has. */
function findDirectory(r: Reader): { offset: number; count: number } {
  const last = r.bytes.length - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (r.u32(at) !== EOCD) continue;
    let count = r.u16(at + 10);
    let offset = r.u32(at + 16);
    if ((count === 0xffff || offset === U32_MAX) && at >= 20 && r.u32(at - 20) === ZIP64_LOCATOR) {
      const z = r.u64(at - 12);
      if (r.u32(z) !== ZIP64_EOCD) throw new ZipError('the zip64 end-of-directory record is missing');
      count = r.u64(z + 32);
      offset = r.u64(z + 48);
    }
    return { offset, count };
  }
  throw new ZipError('it has no zip end-of-directory record');
}

/** Sizes and offset that overflow 32 bits are in the zip64 extra field, in this order, only when marked 0xffffffff. */
function applyZip64(r: Reader, entry: ZipEntry, extraAt: number, extraLength: number): void {
  for (let at = extraAt; at + 4 <= extraAt + extraLength; ) {
    const id = r.u16(at);
    const length = r.u16(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
        if (entry[key] !== U32_MAX) continue;
        entry[key] = r.u64(field);
        field += 8;
      }
      return;
    }
    at += 4 + length;
  }
}

/** Every entry of the central directory, in order. */
export function listZipEntries(bytes: Uint8Array): ZipEntry[] {
  const r = new Reader(bytes);
  const { offset, count } = findDirectory(r);
  // Each directory record takes at least 46 bytes, so a count the file cannot hold is a lie.
  if (count * 46 > bytes.length) throw new ZipError(`the directory claims ${count} entries, more than the file can hold`);
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (r.u32(at) !== CENTRAL) throw new ZipError(`directory entry ${i} is damaged`);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    const entry: ZipEntry = {
      name: r.text(at + 46, nameLength),
      method: r.u16(at + 10),
      compressedSize: r.u32(at + 20),
      size: r.u32(at + 24),
      localHeaderOffset: r.u32(at + 42),
    };
    applyZip64(r, entry, at + 46 + nameLength, extraLength);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's compressed bytes, located through its local header. */
function compressedData(r: Reader, entry: ZipEntry): Uint8Array {
  const at = entry.localHeaderOffset;
  if (r.u32(at) !== LOCAL) throw new ZipError(`the local header of '${entry.name}' is missing`);
  const start = at + 30 + r.u16(at + 26) + r.u16(at + 28);
  if (start + entry.compressedSize > r.bytes.length) throw new ZipError(`'${entry.name}' runs past the end of the file`);
  return r.bytes.subarray(start, start + entry.compressedSize);
}

/**
 * The entry's contents, refused when it declares more than `maxBytes` (before
 * anything is inflated) or when its data does not inflate to exactly the size
 * it declares. `what` names the limit in the message.
 */
export function extractZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number, what: string): Uint8Array {
  if (entry.size > maxBytes) {
    throw new ZipError(`'${entry.name}' declares ${formatBytes(entry.size)}; the limit for ${what} is ${formatBytes(maxBytes)}`, true);
  }
  const data = compressedData(new Reader(bytes), entry);
  if (entry.method === 0) {
    if (data.length !== entry.size) throw new ZipError(`'${entry.name}' is stored with ${data.length} bytes but declares ${entry.size}`);
    return data.slice();
  }
  if (entry.method !== 8) throw new ZipError(`'${entry.name}' uses zip compression method ${entry.method}; only stored and deflate are read`);
  const out = new Uint8Array(entry.size);
  let length = 0;
  const inflater = new Inflate((chunk) => {
    if (length + chunk.length > entry.size) {
      throw new ZipError(`'${entry.name}' inflates to more than the ${formatBytes(entry.size)} it declares`);
    }
    out.set(chunk, length);
    length += chunk.length;
  });
  try {
    for (let at = 0; at < data.length || at === 0; at += INFLATE_SLICE) {
      inflater.push(data.subarray(at, at + INFLATE_SLICE), at + INFLATE_SLICE >= data.length);
    }
  } catch (e) {
    if (e instanceof ZipError) throw e;
    throw new ZipError(`'${entry.name}' cannot be inflated (${e instanceof Error ? e.message : String(e)})`);
  }
  if (length !== entry.size) throw new ZipError(`'${entry.name}' inflates to ${length} bytes but declares ${entry.size}`);
  return out;
}
