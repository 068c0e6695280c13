/**
 * Whether a bundle may be written to a folder, as CompileErrors: kept apart
 * from write.ts so the CLI can refuse an output folder before it loads the
 * compiler (binaryen, ts-morph).
 */
import path from 'node:path';
import { BundleWriteError, checkReplaceable, type ProtectedPlace } from './bundle/replaceable.js';
import { CompileError } from './errors.js';

/** The folder of the model file: never replaced by its own bundle. */
export function modelFolder(model: string): ProtectedPlace {
  return { path: path.dirname(path.resolve(model)), label: `the folder of the model ${model}` };
}

/** The bundle writer's refusals are the user's to fix: CompileErrors located at `out`. */
export function asCompileError(e: unknown, out: string): unknown {
  return e instanceof BundleWriteError ? new CompileError(e.message, { file: out }, { cause: e }) : e;
}

/** Throws a CompileError unless `out` may be replaced by a bundle of `model`. */
export function checkOut(model: string, out: string): void {
  try {
    checkReplaceable(out, [modelFolder(model)]);
  } catch (e) {
    throw asCompileError(e, out);
  }
}
