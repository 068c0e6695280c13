/**
 * The pipeline flags shared by every command that optimizes a model
 * (`run`, `inspect`, `build`), as commander parses them, and their mapping
 * onto the compile API's PipelineOptions.
 */
import type { Command } from 'commander';
import type { Graph } from '../../compiler/ir/graph.js';
import { optimize, type PipelineOptions } from '../optimize.js';

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

export function pipelineOptions(flags: PipelineFlags): PipelineOptions {
  return {
    noOpt: flags.opt === false,
    verifyEach: flags.verifyEach,
    printIrAfterAll: flags.printIrAfterAll,
    printIrAfter: flags.printIrAfter,
    disablePass: flags.disablePass,
  };
}

/** Runs the optimization pipeline on `graph` in place, as the flags say. */
export function optimizeGraph(graph: Graph, flags: PipelineFlags): void {
  optimize(graph, pipelineOptions(flags));
}
