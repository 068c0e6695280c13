/**
 * The runtime's numeric limits, and the error it throws when a bundle or a
 * batch would cross one. The compiler re-exports these (compiler/limits.ts);
 * the runtime never imports the compiler.
 */

/** wasm32 addresses 65,536 pages of 64 KiB: 4 GiB is all a module's memory can ever grow to. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

/** One wasm memory page. */
export const WASM_PAGE_BYTES = 65536;

/** The largest element count of one tensor: 2^30 f32 values already fill the 4 GiB a wasm32 memory holds. */
export const MAX_TENSOR_ELEMENTS = 2 ** 30;

/** The largest tensor rank a manifest may declare; real models stay under 8, so more is a damaged file. */
export const MAX_RANK = 32;

/** A size or count crossed one of the runtime's limits; the message names the limit and what to do. */
export class LimitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LimitError';
  }
}

/** Bytes for a message: "5.12 GiB", "640 MiB", "12 KiB", "7 bytes". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} bytes`;
  // Three significant digits, so a size just over a limit never prints as the limit itself.
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** manifest.json is read before anything says how large it may be: real ones are tens of KiB. */
export const MAX_MANIFEST_BYTES = 16 * 1024 ** 2;
