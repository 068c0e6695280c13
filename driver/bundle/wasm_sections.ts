/**
 * Reads a custom section of a wasm binary without compiling it (a module
 * using relaxed SIMD does not compile where the engine lacks it, yet
 * `tfc inspect` must still read its layout digest). A binary is the 8-byte
 * header, then sections: id byte, LEB128 size, contents; a custom section
 * (id 0) opens with its LEB128-prefixed name.
 */
const HEADER_BYTES = 8;

/** Unsigned LEB128 at `at`: the value and the offset after it; undefined past the end. */
function readLeb(bytes: Uint8Array, at: number): [number, number] | undefined {
  let value = 0;
  for (let shift = 1; at < bytes.length; shift *= 128) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return [value, at];
  }
  return undefined;
}

/** The contents of the first custom section called `name`, or undefined when there is none (or the binary is cut short). */
export function customSection(wasm: Uint8Array, name: string): Uint8Array | undefined {
  const wanted = new TextEncoder().encode(name);
  for (let at = HEADER_BYTES; at < wasm.length; ) {
    const id = wasm[at];
    const size = readLeb(wasm, at + 1);
    if (!size || size[1] + size[0] > wasm.length) return undefined;
    const [length, start] = size;
    at = start + length;
    if (id !== 0) continue;
    const nameLength = readLeb(wasm, start);
    if (!nameLength) return undefined;
    const [n, nameAt] = nameLength;
    const found = wasm.subarray(nameAt, nameAt + n);
    if (found.length === wanted.length && found.every((b, i) => b === wanted[i])) return wasm.subarray(nameAt + n, at);
  }
  return undefined;
}
