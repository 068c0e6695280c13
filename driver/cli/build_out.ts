/**
 * The `--out` check of `tfc build`, kept apart from build.ts so that main.ts
 * can run it before loading the compiler: a folder that may not be replaced
 * is refused at once, not after a long compile.
 */
import path from 'node:path';
import { BundleWriteError, checkReplaceable, type ProtectedPlace } from '../bundle/replaceable.js';
import { CliError } from './errors.js';

/** The bundle writer's refusals are the user's to fix: one-line CLI errors. */
export function asCliError(e: unknown): unknown {
  return e instanceof BundleWriteError ? new CliError(e.message, { cause: e }) : e;
}

/** Refuses an --out that may not be replaced; returns the places the writer must keep (the model's folder). */
export function checkBuildOut(modelFile: string, out: string): ProtectedPlace[] {
  const keep: ProtectedPlace[] = [{ path: path.dirname(path.resolve(modelFile)), label: `the folder of the model ${modelFile}` }];
  try {
    checkReplaceable(out, keep);
  } catch (e) {
    throw asCliError(e);
  }
  return keep;
}
