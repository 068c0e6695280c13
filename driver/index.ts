/**
 * tfc-compiler: the compile API. `compile()` turns a model file into an
 * in-memory bundle, `writeBundle()` writes one to a folder, `build()` does
 * both (what `tfc build` runs). Models written in TypeScript import the DSL
 * from `tfc-compiler/dsl`; bundles run with `tfc-runtime`.
 */
export { compile, TARGET_NAMES, type BundleSummary, type CompileOptions, type CompiledBundle, type RuntimeImport, type TargetName, type TargetSummary } from './compile.js';
export { build, writeBundle } from './write.js';
export { BuildTimings, type PhaseTiming } from './timings.js';
export { CompileError, type CompileErrorLocation } from './errors.js';
export type { PipelineOptions } from './optimize.js';
export type { Affine, BundleManifest, TensorSpec } from '../runtime/manifest.js';
