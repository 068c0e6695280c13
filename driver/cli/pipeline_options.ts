/**
 * The pipeline flags shared by every command that optimizes a model
 * (`run`, `inspect`): they map one to one onto `runPasses` options.
 */
import type { Command } from 'commander';
import type { Graph } from '../../compiler/ir/graph.js';
import { CliError } from './errors.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';

export interface PipelineFlags {
  /** commander turns `--no-opt` into `opt: false`. */
  opt?: boolean;
  verifyEach?: boolean;
  printIrAfterAll?: boolean;
  printIrAfter?: string[];
  disablePass?: string[];
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function addPipelineOptions(cmd: Command): Command {
  return cmd
    .option('--no-opt', 'skip the optimization pipeline: use the graph as imported')
    .option('--verify-each', 'verify the IR after every pass')
    .option('--print-ir-after-all', 'print the IR after every pass (to stderr)')
    .option('--print-ir-after <pass>', 'print the IR after this pass (repeatable)', collect)
    .option('--disable-pass <pass>', 'do not run this pass (repeatable; see `tfc passes`)', collect);
}

/** Runs the optimization pipeline on `graph` in place, as the flags say. */
export function optimizeGraph(graph: Graph, flags: PipelineFlags): void {
  if (flags.opt === false) return;
  const passes = pipelinePasses();
  const names = passes.map((p) => p.name);
  for (const name of [...(flags.disablePass ?? []), ...(flags.printIrAfter ?? [])]) {
    if (!names.includes(name)) throw new CliError(`unknown pass '${name}' (passes: ${names.join(', ')})`);
  }
  runPasses(graph, passes, {
    verifyEach: flags.verifyEach,
    printAfterAll: flags.printIrAfterAll,
    printAfter: flags.printIrAfter,
    disabled: flags.disablePass,
  });
}
