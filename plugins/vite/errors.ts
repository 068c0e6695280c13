/**
 * Compile errors as Rollup and Vite report a plugin's errors: `id` is the
 * file the problem is in and `loc` its line and column when tfc knows them (a
 * DSL shape error at the user's layer call), so Vite's overlay and the build
 * log show the user's `file:line:col`. The column is 1-based, as in the
 * message and in `tfc build`'s error line. `watchFiles` keeps watch mode
 * watching the model's files, so fixing them rebuilds.
 */
import type { CompileError } from 'tfc-compiler';

export interface LocatedError {
  message: string;
  id: string;
  loc?: { file: string; line: number; column: number };
  watchFiles: string[];
  cause: unknown;
}

export function locatedError(e: CompileError, watchFiles: readonly string[]): LocatedError {
  const loc = e.line === undefined ? undefined : { file: e.file, line: e.line, column: e.column ?? 1 };
  return { message: e.message, id: e.file, ...(loc ? { loc } : {}), watchFiles: [...watchFiles], cause: e };
}
