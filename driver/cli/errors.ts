/**
 * The one place where the CLI turns errors into what a user sees.
 *
 * Errors a user can fix (a bad model file, a bad layer option, inputs that do
 * not fit the model, a bad command line) print as one line,
 * `tfc: error: <message>`, with the stack trace only under `--verbose`.
 * Anything else is a bug in tfc: it prints one line too, ending with a hint
 * to rerun with `--verbose` to get the stack trace for a report.
 */
import { isUserError as isCompilerUserError, oneLineMessage } from '../errors.js';

export { oneLineMessage } from '../errors.js';

/** A mistake in the command line or in the files it names. */
export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Errors whose message is meant for the user and says what to fix: the compile API's and the command line's. */
export function isUserError(e: unknown): e is Error {
  return e instanceof CliError || isCompilerUserError(e);
}

/**
 * Prefixes a user error with where it happened (`model.json: ...`) unless the
 * message already names that place; other errors pass through unchanged.
 */
export function locate(where: string, e: unknown): unknown {
  if (!isUserError(e) || e.message.includes(where)) return e;
  return new CliError(`${where}: ${e.message}`, { cause: e });
}

function stackWithCauses(e: unknown): string {
  const parts: string[] = [];
  let current: unknown = e;
  while (current !== undefined) {
    parts.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/** Prints an error for the user as one line (the stack follows under --verbose) and returns the process exit code. */
export function reportError(e: unknown, verbose: boolean, write: (text: string) => void): number {
  const message = oneLineMessage(e instanceof Error ? e.message : String(e));
  if (isUserError(e)) {
    write(`tfc: error: ${message}\n`);
  } else {
    const hint = verbose ? '' : ' (this is a bug in tfc; run again with --verbose for the stack trace)';
    write(`tfc: error: internal error: ${message}${hint}\n`);
  }
  if (verbose) write(`${stackWithCauses(e)}\n`);
  return 1;
}
