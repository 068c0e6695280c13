/**
 * `tfc inspect`: what the optimizing pipeline does to a model: node and
 * kernel counts, remaining ops, planned peak memory against the naive sum
 * of every intermediate tensor, and weight bytes. Given a bundle folder, it
 * verifies the bundle's files as the runtime would (a damaged bundle is an
 * error) and prints the report recorded at build time, plus the code size.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { BundleError } from '../../runtime/errors.js';
import { bundleReader, readChecked } from '../../runtime/files.js';
import { LAYOUT_SECTION, checkLayout, wgslLayoutDigest } from '../../runtime/layout_digest.js';
import { parseManifest, type BundleManifest } from '../../runtime/manifest.js';
import { customSection } from '../bundle/wasm_sections.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { loadModelSource } from '../../compiler/frontend/load.js';
import { formatInspectReport, inspectGraphs } from '../../compiler/inspect.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';

export interface InspectOptions extends PipelineFlags {
  json?: boolean;
  model?: string;
}

/**
 * Reads and verifies a bundle as the runtime does before loading it: the
 * manifest parses, every file it lists is there, a regular file in the
 * folder, of the listed size and SHA-256, and each compiled file carries the
 * layout digest of the manifest (an edited manifest is damage too). Damage
 * is a one-line CliError.
 */
async function readVerifiedManifest(dir: string): Promise<BundleManifest> {
  const { where, read } = await bundleReader(dir);
  try {
    await stat(path.join(dir, 'manifest.json'));
  } catch (e) {
    throw new CliError(`bundle ${where}: no manifest.json (a bundle folder is what \`tfc build --out\` writes)`, { cause: e });
  }
  try {
    const manifest = parseManifest(new TextDecoder().decode(await read('manifest.json')), `bundle ${where}`);
    const { wasm, webgpu } = manifest.targets;
    // Only the compiled files are kept: weights may be large.
    const codeFiles = new Set([wasm?.file, wasm?.relaxedFile, webgpu?.file]);
    const files = new Map<string, Uint8Array<ArrayBuffer>>();
    for (const [name, entry] of Object.entries(manifest.files)) {
      const bytes = await readChecked(read, where, name, entry);
      if (codeFiles.has(name)) files.set(name, bytes);
    }
    for (const file of [wasm?.file, wasm?.relaxedFile].filter((f) => f !== undefined)) {
      const section = customSection(files.get(file)!, LAYOUT_SECTION);
      await checkLayout(manifest, wasm!, file, section && new TextDecoder().decode(section), where);
    }
    if (webgpu) await checkLayout(manifest, webgpu, webgpu.file, wgslLayoutDigest(new TextDecoder().decode(files.get(webgpu.file))), where);
    return manifest;
  } catch (e) {
    throw e instanceof BundleError ? new CliError(e.message, { cause: e }) : e;
  }
}

async function inspectBundle(dir: string, json: boolean): Promise<void> {
  const where = `bundle ${dir}`;
  const manifest = await readVerifiedManifest(dir);
  const report = manifest.report;
  if (typeof report !== 'object' || report === null || !Number.isInteger(report.kernels_after)) {
    throw new CliError(`${where}: manifest.json has no build report (rebuild the bundle with this tfc)`);
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`model ${manifest.name} (bundle format ${manifest.formatVersion}, targets: ${Object.keys(manifest.targets).join(', ')})\n`);
  for (const [target, { file }] of Object.entries(manifest.targets)) {
    const label = `code bytes (${target})`;
    process.stdout.write(`${label.padEnd(21)}${manifest.files[file].bytes.toLocaleString('en-US')}\n`);
  }
  process.stdout.write(formatInspectReport(report));
}

export async function inspectCommand(modelFile: string, options: InspectOptions): Promise<void> {
  if ((await stat(modelFile).catch(() => undefined))?.isDirectory()) {
    await inspectBundle(modelFile, options.json === true);
    return;
  }
  const spec = await loadModelSource(modelFile, { modelExport: options.model });
  let imported;
  let optimized;
  try {
    // Lowering is deterministic, so lowering twice gives an untouched copy to compare with.
    imported = lowerModel(spec).graph;
    optimized = lowerModel(spec).graph;
    verifyGraph(imported);
  } catch (e) {
    throw locate(modelFile, e);
  }
  optimizeGraph(optimized, options);
  const report = inspectGraphs(imported, optimized);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
}
