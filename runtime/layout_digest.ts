/**
 * The layout digest: a SHA-256 of the manifest fields a compiled file was
 * built for (format version, signature, its target's offsets, sizes, weights,
 * dispatches, bindings and grids). The build embeds it in each compiled file
 * (a custom section in model.wasm, a first line in model.wgsl); the runtime
 * recomputes it from manifest.json, which is not hashed itself, and refuses a
 * mismatch: an edited manifest, or one from another build. The compiler
 * hashes `layoutText` too, so the two sides cannot disagree.
 */
import { BundleError } from './errors.js';
import { sha256Hex } from './files.js';
import { FORMAT_VERSION, type BundleManifest, type WasmTarget, type WebGpuTarget } from './manifest.js';

/** The name of model.wasm's custom section holding the digest as hex text. */
export const LAYOUT_SECTION = 'tfc.layout';
/** The first line of model.wgsl, followed by the digest. */
export const WGSL_LAYOUT_MARKER = '// tfc:layout ';

/** The layout-relevant fields as canonical JSON: object keys sorted at every level. */
export function layoutText(signature: Pick<BundleManifest, 'inputs' | 'outputs'>, target: WasmTarget | WebGpuTarget): string {
  const { inputs, outputs } = signature;
  return JSON.stringify({ formatVersion: FORMAT_VERSION, inputs, outputs, target }, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The digest model.wgsl carries: its first line. */
export function wgslLayoutDigest(wgsl: string): string | undefined {
  const firstLine = wgsl.slice(0, wgsl.indexOf('\n'));
  return firstLine.startsWith(WGSL_LAYOUT_MARKER) ? firstLine.slice(WGSL_LAYOUT_MARKER.length) : undefined;
}

/** Refuses `file` when the digest it carries (`found`) is not the one computed from the manifest for `target`. */
export async function checkLayout(signature: Pick<BundleManifest, 'inputs' | 'outputs'>, target: WasmTarget | WebGpuTarget, file: string, found: string | undefined, where: string): Promise<void> {
  let text: string;
  try {
    text = layoutText(signature, target);
  } catch (e) {
    // JSON.parse reads arrays nested deeper than JSON.stringify can write (a RangeError): such a manifest is no build's.
    throw new BundleError(`bundle ${where}: manifest.json cannot be digested (${(e as Error).message})`, { cause: e });
  }
  const digest = await sha256Hex(new TextEncoder().encode(text));
  if (found !== digest) {
    throw new BundleError(
      `bundle ${where}: manifest.json does not match ${file} (layout digest ${found ?? 'missing'}, the manifest gives ${digest}): ` +
        'the manifest was edited or belongs to another build',
    );
  }
}
