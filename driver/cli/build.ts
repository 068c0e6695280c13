/**
 * `tfc build <model> --target wasm|webgpu|wasm,webgpu --out DIR`: the compile
 * API's build() (driver/write.ts) with the command line's flags, a progress
 * line on a terminal (progress.ts), the summary on stdout, and with
 * `--timings` where the time went on stderr (timings.ts). The compiler is
 * imported here, not statically, so its load time is a phase of its own.
 */
import { performance } from 'node:perf_hooks';
import { formatAffine } from '../../compiler/plan/affine.js';
import type { BundleSummary, RuntimeImport, TargetName, TargetSummary } from '../compile.js';
import { BuildTimings } from '../timings.js';
import { CliError } from './errors.js';
import { pipelineOptions, type PipelineFlags } from './pipeline_options.js';
import { startProgress } from './progress.js';
import { formatTimings } from './timings.js';

export interface BuildOptions extends PipelineFlags {
  target: string;
  out: string;
  model?: string;
  runtime?: RuntimeImport;
  /** Print where the build's time went, phase by phase, on stderr. */
  timings?: boolean;
}

interface Compiler {
  targetNames: readonly TargetName[];
  build: typeof import('../write.js').build;
}

async function loadCompiler(): Promise<Compiler> {
  const [{ TARGET_NAMES }, { build }] = await Promise.all([import('../compile.js'), import('../write.js')]);
  return { targetNames: TARGET_NAMES, build };
}

function parseTargets(list: string, known: readonly TargetName[]): TargetName[] {
  const targets = list.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  for (const t of targets) {
    if (!(known as readonly string[]).includes(t)) throw new CliError(`unknown --target '${t}' (targets: ${known.join(', ')})`);
  }
  if (targets.length === 0) throw new CliError(`--target needs a target (targets: ${known.join(', ')})`);
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
  const timings = options.timings === true ? new BuildTimings() : undefined;
  // performance.now() counts from the process start: node itself and the CLI up to here.
  timings?.record('process start to tfc build', performance.now());
  const { targetNames, build } = await (timings ? timings.timeAsync('load the compiler', loadCompiler) : loadCompiler());
  const targets = parseTargets(options.target, targetNames);
  const flags = pipelineOptions(options);
  // Printed IR would be torn by a line redrawn in place.
  const printsIr = flags.printIrAfterAll === true || (flags.printIrAfter ?? []).length > 0;
  const progress = printsIr ? undefined : startProgress('tfc build');
  const bundle = await build(modelFile, options.out, {
    ...flags,
    targets,
    modelExport: options.model,
    runtime: options.runtime,
    onProgress: progress?.stage,
    ...(timings ? { timings } : {}),
  }).finally(() => progress?.stop());
  process.stdout.write(formatSummary(options.out, bundle.name, bundle.summary));
  if (timings) process.stderr.write(formatTimings(timings.phases(), performance.now()));
}
