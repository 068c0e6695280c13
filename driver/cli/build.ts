/**
 * `tfc build <model> --target wasm|webgpu|wasm,webgpu --out DIR`: the compile
 * API's build() (driver/write.ts) with the command line's flags, a progress
 * line on a terminal (progress.ts), and the summary on stdout.
 */
import { formatAffine } from '../../compiler/plan/affine.js';
import { TARGET_NAMES, type BundleSummary, type RuntimeImport, type TargetName, type TargetSummary } from '../compile.js';
import { build } from '../write.js';
import { CliError } from './errors.js';
import { pipelineOptions, type PipelineFlags } from './pipeline_options.js';
import { startProgress } from './progress.js';

export interface BuildOptions extends PipelineFlags {
  target: string;
  out: string;
  model?: string;
  runtime?: RuntimeImport;
}

function parseTargets(list: string): TargetName[] {
  const targets = list.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  for (const t of targets) {
    if (!(TARGET_NAMES as readonly string[]).includes(t)) throw new CliError(`unknown --target '${t}' (targets: ${TARGET_NAMES.join(', ')})`);
  }
  if (targets.length === 0) throw new CliError(`--target needs a target (targets: ${TARGET_NAMES.join(', ')})`);
  return targets as TargetName[];
}

function targetRow(t: TargetSummary): [string, string] {
  const sizes = `code bytes ${t.codeBytes}, weight bytes ${t.weightBytes}`;
  return t.target === 'webgpu' ? [t.target, `${sizes}, ${t.shaderModules} shader modules / ${t.dispatches} dispatches`] : [t.target, sizes];
}

function formatSummary(out: string, name: string, summary: BundleSummary): string {
  const rows: [string, string][] = [
    ['kernels', String(summary.kernels)],
    ['peak memory', `${summary.peakBytesAtBatch1} bytes at batch 1 (arena ${formatAffine(summary.arenaBytes)} bytes)`],
    ...summary.targets.map(targetRow),
  ];
  const targets = summary.targets.map((t) => t.target);
  const header = `built ${out} (model '${name}', ${targets.length > 1 ? 'targets' : 'target'} ${targets.join(', ')})`;
  return `${header}\n${rows.map(([k, v]) => `  ${k.padEnd(14)}${v}\n`).join('')}`;
}

export async function buildCommand(modelFile: string, options: BuildOptions): Promise<void> {
  const targets = parseTargets(options.target);
  const flags = pipelineOptions(options);
  // Printed IR would be torn by a line redrawn in place.
  const printsIr = flags.printIrAfterAll === true || (flags.printIrAfter ?? []).length > 0;
  const progress = printsIr ? undefined : startProgress('tfc build');
  const bundle = await build(modelFile, options.out, { ...flags, targets, modelExport: options.model, runtime: options.runtime, onProgress: progress?.stage }).finally(
    () => progress?.stop(),
  );
  process.stdout.write(formatSummary(options.out, bundle.name, bundle.summary));
}
