/**
 * The two ways the runtime refuses to work: a bundle it cannot trust or read
 * (at load), and inputs that do not fit the model (at predict). Both carry a
 * message that says what is wrong and what was expected.
 */
export class BundleError extends Error {
  constructor(message: string, options?: ErrorOptions) {
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
