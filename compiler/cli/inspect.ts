/**
 * `tfc inspect`: what the optimizing pipeline does to a model: node and
 * kernel counts, remaining ops, planned peak memory against the naive sum
 * of every intermediate tensor, and weight bytes. Given a bundle folder, it
 * prints the same report as recorded at build time, plus the code size.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseManifest } from '../../runtime/manifest.js';
import { lowerModel } from '../frontend/lower.js';
import { loadModelSource } from '../frontend/load.js';
import { formatInspectReport, inspectGraphs } from '../inspect.js';
import { verifyGraph } from '../ir/verifier.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';

export interface InspectOptions extends PipelineFlags {
  json?: boolean;
  model?: string;
}

async function inspectBundle(dir: string, json: boolean): Promise<void> {
  const where = `bundle ${dir}`;
  let text: string;
  try {
    text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch (e) {
    throw new CliError(`${where}: no manifest.json (a bundle folder is what \`tfc build --out\` writes)`, { cause: e });
  }
  let manifest;
  try {
    manifest = parseManifest(text, where);
  } catch (e) {
    throw new CliError((e as Error).message, { cause: e });
  }
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
