/**
 * Writing files so that an interrupt never leaves anything behind. While
 * `work` runs, SIGINT and SIGTERM are caught: the signal is recorded, `work`
 * stops at its next `signal.throwIfAborted()` (after each await), and once it
 * has settled `cleanup` removes whatever it had written so far. The caller
 * then gets an InterruptedError, which the CLI reports in one line and exits
 * with the shell's convention for the signal (130 for SIGINT, 143 for
 * SIGTERM). A second signal while `work` is still stuck in a write cleans up
 * and exits at once. Outside `work` the handlers are removed, so a signal at
 * any other time has its default effect (the process ends; nothing was being
 * written).
 */

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
type CaughtSignal = keyof typeof SIGNALS;

/** The process got SIGINT or SIGTERM while writing; what was written has been removed. */
export class InterruptedError extends Error {
  readonly signal: CaughtSignal;
  /** 128 + the signal number, as a shell reports a process the signal ended. */
  readonly exitCode: number;

  constructor(signal: CaughtSignal, what: string) {
    super(`interrupted by ${signal} while writing ${what}; nothing was written`);
    this.name = 'InterruptedError';
    this.signal = signal;
    this.exitCode = 128 + SIGNALS[signal];
  }
}

/**
 * Runs `work` with SIGINT/SIGTERM caught; `cleanup` (synchronous, idempotent)
 * runs after `work` settles when it failed or was interrupted. `what` names
 * the output for the InterruptedError message.
 */
export async function interruptible<T>(what: string, cleanup: () => void, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let caught: CaughtSignal | undefined;
  const handlers = (Object.keys(SIGNALS) as CaughtSignal[]).map((name) => {
    const handler = (): void => {
      // A second signal (the write is stuck, e.g. on a dead network drive): clean up and end now.
      if (caught !== undefined) {
        cleanup();
        process.exit(128 + SIGNALS[name]);
      }
      caught = name;
      controller.abort();
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  try {
    // work checks the signal after every await and commits synchronously, so once it returns the output is complete.
    return await work(controller.signal);
  } catch (e) {
    cleanup();
    if (caught !== undefined) throw new InterruptedError(caught, what);
    throw e;
  } finally {
    for (const remove of handlers) remove();
  }
}
