/**
 * How a build times its phases (`tfc build --timings`): a target wraps each of
 * its steps in `time`, and the driver's recorder (driver/timings.ts) adds up
 * where the time went. Targets see only this interface, so they never import
 * the driver.
 */
export interface PhaseTimer {
  /** Runs `fn` as the phase `phase` (nested inside the phase running now, if any) and returns its result. */
  time<T>(phase: string, fn: () => T): T;
}

/** The timer of an untimed build: runs each phase, records nothing. */
export const UNTIMED: PhaseTimer = { time: (_phase, fn) => fn() };
