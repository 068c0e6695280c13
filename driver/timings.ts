/**
 * Where a build's time goes (`tfc build --timings`, the compile API's
 * `timings` option). Phases nest: a phase started while another runs is its
 * child, named `parent › child`, and every phase is charged only its self time
 * (its wall time less its children's), so the phases add up to the time they
 * cover. A phase that runs more than once (a pass in each pipeline round)
 * adds up into one row, listed where it first started.
 */
import { performance } from 'node:perf_hooks';
import type { PhaseTimer } from '../targets/common/phase_timer.js';

export interface PhaseTiming {
  /** The phase, with its parents before it: `wasm › binaryen optimize`. */
  phase: string;
  /** Milliseconds spent in the phase itself, not in its children. */
  ms: number;
}

interface OpenPhase {
  path: string;
  start: number;
  childMs: number;
}

/** Separates a nested phase from its parent in a phase's name. */
export const PHASE_SEPARATOR = ' › ';

export class BuildTimings implements PhaseTimer {
  private readonly selfMs = new Map<string, number>();
  private readonly open: OpenPhase[] = [];

  time<T>(phase: string, fn: () => T): T {
    const opened = this.enter(phase);
    try {
      return fn();
    } finally {
      this.leave(opened);
    }
  }

  /** `time` for a phase that awaits (phases must not overlap: one runs at a time, children inside parents). */
  async timeAsync<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const opened = this.enter(phase);
    try {
      return await fn();
    } finally {
      this.leave(opened);
    }
  }

  /** Adds `ms` measured elsewhere (the process start before the recorder existed) as a top-level phase. */
  record(phase: string, ms: number): void {
    this.selfMs.set(phase, (this.selfMs.get(phase) ?? 0) + ms);
  }

  /** Every phase so far, in the order each first started. */
  phases(): PhaseTiming[] {
    return [...this.selfMs].map(([phase, ms]) => ({ phase, ms }));
  }

  private enter(phase: string): OpenPhase {
    const parent = this.open.at(-1);
    const path = parent ? `${parent.path}${PHASE_SEPARATOR}${phase}` : phase;
    if (!this.selfMs.has(path)) this.selfMs.set(path, 0);
    const opened = { path, start: performance.now(), childMs: 0 };
    this.open.push(opened);
    return opened;
  }

  private leave(opened: OpenPhase): void {
    this.open.pop();
    const ms = performance.now() - opened.start;
    this.selfMs.set(opened.path, (this.selfMs.get(opened.path) ?? 0) + ms - opened.childMs);
    const parent = this.open.at(-1);
    if (parent) parent.childMs += ms;
  }
}
