/**
 * The optimization pipeline as the compile API and the CLI run it, with the
 * options that map one to one onto `runPasses`.
 */
import type { Graph } from '../compiler/ir/graph.js';
import { runPasses } from '../compiler/passes/manager.js';
import { pipelinePasses } from '../compiler/passes/pipeline.js';
import { OptionError } from './errors.js';

export interface PipelineOptions {
  /** Skip the optimization pipeline: use the graph as imported. */
  noOpt?: boolean;
  /** Verify the IR after every pass. */
  verifyEach?: boolean;
  /** Print the IR after every pass (to stderr). */
  printIrAfterAll?: boolean;
  /** Print the IR after these passes (to stderr). */
  printIrAfter?: readonly string[];
  /** Passes not to run (see `tfc passes`). */
  disablePass?: readonly string[];
}

/** Runs the optimization pipeline on `graph` in place, as the options say; an unknown pass name is an OptionError. */
export function optimize(graph: Graph, options: PipelineOptions): void {
  if (options.noOpt === true) return;
  const passes = pipelinePasses();
  const names = passes.map((p) => p.name);
  for (const name of [...(options.disablePass ?? []), ...(options.printIrAfter ?? [])]) {
    if (!names.includes(name)) throw new OptionError(`unknown pass '${name}' (passes: ${names.join(', ')})`);
  }
  runPasses(graph, passes, {
    verifyEach: options.verifyEach,
    printAfterAll: options.printIrAfterAll,
    printAfter: options.printIrAfter,
    disabled: options.disablePass,
  });
}
