/** The error the DSL raises for a model it cannot build. */

/**
 * A problem in a DSL model: a bad option, a shape that does not fit, an
 * unknown layer name. The message starts with the `file:line:column` of the
 * offending call in the user's source when it is known (also in `source`).
 */
export class ModelBuildError extends Error {
  constructor(
    message: string,
    readonly source?: string,
    options?: ErrorOptions,
  ) {
    super(source ? `${source}: ${message}` : message, options);
    this.name = 'ModelBuildError';
  }
}

/** The message of anything thrown, for wrapping. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
