/**
 * The optimization pipeline as the compile API and the CLI run it, with the
 * options that map one to one onto `runPasses`.
 */
import type { Graph } from '../compiler/ir/graph.js';
import { runPasses } from '../compiler/passes/manager.js';
import type { Pass } from '../compiler/passes/pass.js';
import { pipelinePasses } from '../compiler/passes/pipeline.js';
import { UNTIMED, type PhaseTimer } from '../targets/common/phase_timer.js';
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

/** `pass`, each run timed as the phase named for it. */
function timedPass(pass: Pass, timer: PhaseTimer): Pass {
  return { ...pass, run: (g) => timer.time(pass.name, () => pass.run(g)) };
}

/**
 * Runs the optimization pipeline on `graph` in place, as the options say; an unknown pass name is an OptionError.
 * `timer` times each pass (all its rounds together).
 */
export function optimize(graph: Graph, options: PipelineOptions, timer: PhaseTimer = UNTIMED): void {
  if (options.noOpt === true) return;
  const passes = pipelinePasses().map((p) => timedPass(p, timer));
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
