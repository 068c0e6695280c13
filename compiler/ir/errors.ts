/** Errors raised by the IR: shape inference, verification and parsing. */

/** A problem in a graph or an op's use: bad shapes, attributes or structure. */
export class IRError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IRError';
  }
}

/** A problem in IR text, with the 1-based line and column where it was found. */
export class IRParseError extends IRError {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${line}:${column}: ${message}`);
    this.name = 'IRParseError';
  }
}
