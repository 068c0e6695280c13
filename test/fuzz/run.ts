/**
 * Runs a fuzz target with fast-check and counts outcomes. A round is one
 * `fc.check` of `runs` cases from one seed; on a failure fast-check shrinks
 * it to a minimal counterexample, which is kept with the seed and path that
 * replay it. Counts cover the round's own runs, not the shrinking replays.
 */
import fc from 'fast-check';
import { DEFAULT_LIMITS, outcomeOf, Tally, type Limits, type Outcome } from './outcome.js';
import type { FuzzTarget } from './targets.js';

export interface Finding {
  target: string;
  seed: number;
  path: string;
  /** The shrunk input: which file, which edits. */
  counterexample: string;
  reason: string;
}

export interface RoundOptions {
  seed: number;
  runs: number;
  limits?: Limits;
  /** Stop the round after this many milliseconds (whatever ran counts). */
  timeLimitMs?: number;
}

export async function fuzzRound(target: FuzzTarget, tally: Tally, options: RoundOptions): Promise<Finding | undefined> {
  const outcomes: Outcome[] = [];
  const property = fc.asyncProperty(target.arbitrary, async (c) => {
    const o = await outcomeOf(c.run, options.limits ?? DEFAULT_LIMITS);
    outcomes.push(o);
    if (o.kind === 'failure') throw new Error(o.reason);
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.timeLimitMs !== undefined ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
  });
  // The first numRuns outcomes are the round's runs; any after them are shrinking replays.
  for (const o of outcomes.slice(0, details.numRuns)) tally.add(o);
  if (!details.failed || !details.counterexample) return undefined;
  const [shrunk] = details.counterexample;
  const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return { target: target.name, seed: details.seed, path: details.counterexamplePath ?? '', counterexample: shrunk.label, reason };
}

export function formatFinding(f: Finding): string {
  return `[${f.target}] seed ${f.seed} path '${f.path}': ${f.counterexample}\n    -> ${f.reason}`;
}
