/** Bundles: what `tfc build` writes and the runtime (runtime/) loads. See assemble.ts and write.ts. */
export { assembleBundle, MANIFEST_FILE, RELAXED_WASM_FILE, WASM_FILE, WEIGHTS_FILE, type Bundle } from './assemble.js';
export { writeBundleDir, BundleWriteError } from './write.js';
export { stableJson } from './json.js';
