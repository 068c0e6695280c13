/**
 * Runs a pipeline of passes. With `verifyEach` the IR is verified after every
 * pass, and a failure names the pass and prints the IR from before it.
 * The pipeline repeats until no pass changes the graph, up to a cap: a
 * pipeline that never settles is a bug and is reported as one.
 */
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/printer.js';
import { verifyGraph } from '../ir/verifier.js';
import type { Pass } from './pass.js';

export interface PipelineOptions {
  verifyEach?: boolean;
  /** Pass names not to run. Unknown names are an error. */
  disabled?: readonly string[];
  printAfterAll?: boolean;
  /** Pass names after which to print the IR. */
  printAfter?: readonly string[];
  /** Where printed IR goes (default: stderr). */
  log?: (text: string) => void;
  /** Maximum rounds over the whole pipeline. */
  maxRounds?: number;
}

export class PassError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PassError';
  }
}

export function runPasses(g: Graph, passes: readonly Pass[], options: PipelineOptions = {}): void {
  const known = new Set(passes.map((p) => p.name));
  for (const name of [...(options.disabled ?? []), ...(options.printAfter ?? [])]) {
    if (!known.has(name)) throw new PassError(`unknown pass '${name}' (passes: ${[...known].join(', ')})`);
  }
  const disabled = new Set(options.disabled ?? []);
  const printAfter = new Set(options.printAfter ?? []);
  const log = options.log ?? ((text: string) => process.stderr.write(text));
  const maxRounds = options.maxRounds ?? 8;
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (const pass of passes) {
      if (disabled.has(pass.name)) continue;
      const before = options.verifyEach ? printGraph(g) : '';
      if (pass.run(g)) changed = true;
      if (options.verifyEach) {
        try {
          verifyGraph(g);
        } catch (e) {
          throw new PassError(`pass '${pass.name}' broke the IR: ${(e as Error).message}\nIR before '${pass.name}':\n${before}`);
        }
      }
      if (options.printAfterAll || printAfter.has(pass.name)) {
        log(`// ----- IR after ${pass.name} (round ${round + 1}) -----\n${printGraph(g)}`);
      }
    }
    if (!changed) return;
  }
  throw new PassError(`the pipeline did not reach a fixed point in ${maxRounds} rounds`);
}
