/**
 * The fuzzers' property: every input gives a correct result or one clean
 * error — a typed user error (the CLI's user error classes, or the
 * runtime's) whose message is one line — within a time and a memory limit.
 * Anything else (a TypeError, a RangeError from a typed-array constructor, a
 * multi-line message, a timeout, memory growing past the limit) is a failure.
 */
import { isUserError } from '../../driver/cli/errors.js';
import { BundleError, InputError } from '../../runtime/errors.js';
import { LimitError } from '../../runtime/limits.js';

export type Outcome = { kind: 'result' } | { kind: 'clean-error'; message: string } | { kind: 'failure'; reason: string };

export interface Limits {
  timeoutMs: number;
  /** Resident memory the process may reach during a case. */
  maxRssBytes: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutMs: 10_000, maxRssBytes: 3 * 1024 ** 3 };

function isCleanError(e: unknown): e is Error {
  return isUserError(e) || e instanceof BundleError || e instanceof InputError || e instanceof LimitError;
}

/** The error with where it was thrown: the first stack frame in tfc's own source. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const frame = e.stack?.split('\n').find((l) => /\/(compiler|runtime|targets)\//.test(l) && !l.includes('node_modules'));
  return `${e.name}: ${e.message.slice(0, 300)}${frame ? ` (${frame.trim().replace(/^at /, 'at ')})` : ''}`;
}

/** Runs `body` and classifies what happened; `body` throws a plain Error when its result is inconsistent. */
export async function outcomeOf(body: () => Promise<void>, limits: Limits = DEFAULT_LIMITS): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limits.timeoutMs);
  });
  try {
    const done = await Promise.race([body().then(() => 'done' as const), timeout]);
    if (done === 'timeout') return { kind: 'failure', reason: `no result or error within ${limits.timeoutMs} ms` };
    return overMemory(limits) ?? { kind: 'result' };
  } catch (e) {
    const memory = overMemory(limits);
    if (memory) return memory;
    if (!isCleanError(e)) return { kind: 'failure', reason: `not a user error: ${describe(e)}` };
    if (e.message.includes('\n')) return { kind: 'failure', reason: `a multi-line message: ${describe(e)}` };
    return { kind: 'clean-error', message: e.message };
  } finally {
    clearTimeout(timer);
  }
}

function overMemory(limits: Limits): Outcome | undefined {
  const rss = process.memoryUsage.rss();
  return rss > limits.maxRssBytes ? { kind: 'failure', reason: `resident memory reached ${(rss / 1024 ** 2).toFixed(0)} MiB` } : undefined;
}

/** Running counts over many cases, with the failures kept. */
export class Tally {
  runs = 0;
  results = 0;
  cleanErrors = 0;
  readonly failures: string[] = [];

  add(o: Outcome): void {
    this.runs++;
    if (o.kind === 'result') this.results++;
    else if (o.kind === 'clean-error') this.cleanErrors++;
    else this.failures.push(o.reason);
  }

  toString(): string {
    return `${this.runs} runs: ${this.results} results, ${this.cleanErrors} clean errors, ${this.failures.length} failures`;
  }
}
