/**
 * The two ways the runtime refuses to work: a bundle it cannot trust or read
 * (at load), and inputs that do not fit the model (at predict). Both carry a
 * message that says what is wrong and what was expected.
 */
export class BundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BundleError';
  }
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The GPU went away (driver reset, device destroyed, tab backgrounded): reload the model to continue. */
export class DeviceLostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceLostError';
  }
}
