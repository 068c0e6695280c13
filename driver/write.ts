/**
 * Writing a compiled bundle: writeBundle() puts it in a folder all or
 * nothing, replacing only what driver/bundle/replaceable.ts allows (a missing
 * or empty folder, or an earlier tfc bundle; never the root, home or current
 * folder, nor a folder holding one of the model's sources); build() is
 * compile() then writeBundle(), with the output folder checked first so a
 * refused one fails before the (long) compile.
 */
import path from 'node:path';
import type { ProtectedPlace } from './bundle/replaceable.js';
import { writeBundleDir } from './bundle/write.js';
import { compile, type CompileOptions, type CompiledBundle } from './compile.js';
import { asCompileError, checkOut } from './out_check.js';

/** The folders of everything the model was read from (the model's own first). */
function sourceFolders(bundle: CompiledBundle): ProtectedPlace[] {
  return bundle.sources.map((file) => ({ path: path.dirname(file), label: `the folder of ${file}, a source of model '${bundle.name}'` }));
}

/** Writes `bundle` as the folder `out`, all or nothing; a refused or unwritable `out` is a CompileError. */
export async function writeBundle(bundle: CompiledBundle, out: string): Promise<void> {
  try {
    await writeBundleDir(out, bundle.files, sourceFolders(bundle));
  } catch (e) {
    throw asCompileError(e, out);
  }
}

/** Compiles `model` and writes the bundle to `out`; returns the bundle. */
export async function build(model: string, out: string, options: CompileOptions = {}): Promise<CompiledBundle> {
  checkOut(model, out);
  const bundle = await compile(model, options);
  options.onProgress?.(`writing ${out}`);
  const write = (): Promise<void> => writeBundle(bundle, out);
  await (options.timings ? options.timings.timeAsync('write bundle', write) : write());
  return bundle;
}
