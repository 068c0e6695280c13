/** Bundles: what `tfc build` writes and the runtime (runtime/) loads. See assemble.ts and write.ts. */
export { assembleBundle, GPU_WEIGHTS_FILE, MANIFEST_FILE, RELAXED_WASM_FILE, WASM_FILE, WEIGHTS_FILE, WGSL_FILE, type Bundle, type BundleTargets } from './assemble.js';
export { writeBundleDir, BundleWriteError } from './write.js';
export { stableJson } from './json.js';
export { RUNTIME_MODES, type LoaderOptions, type RuntimeMode } from './loader.js';
