/**
 * Embeds the layout digest (runtime/layout_digest.ts) in a bundle's compiled
 * files: model.wasm gets a custom section, model.wgsl a first line. The
 * runtime recomputes the digest from manifest.json and refuses a mismatch.
 */
import { createHash } from 'node:crypto';
import { LAYOUT_SECTION, WGSL_LAYOUT_MARKER, layoutText } from '../../runtime/layout_digest.js';
import type { BundleManifest, WasmTarget, WebGpuTarget } from '../../runtime/manifest.js';

export function layoutDigest(signature: Pick<BundleManifest, 'inputs' | 'outputs'>, target: WasmTarget | WebGpuTarget): string {
  return createHash('sha256').update(layoutText(signature, target)).digest('hex');
}

/** Unsigned LEB128, as wasm encodes sizes. */
function leb128(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

/** The module with a custom section `tfc:layout` holding the digest as hex text appended (custom sections may come last). */
export function withWasmLayout(wasm: Uint8Array, digest: string): Uint8Array {
  const name = new TextEncoder().encode(LAYOUT_SECTION);
  const payload = [...leb128(name.length), ...name, ...new TextEncoder().encode(digest)];
  return new Uint8Array([...wasm, 0, ...leb128(payload.length), ...payload]);
}

export function withWgslLayout(wgsl: string, digest: string): string {
  return `${WGSL_LAYOUT_MARKER}${digest}\n${wgsl}`;
}
