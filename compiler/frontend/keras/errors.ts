/** Errors raised while importing a Keras / TF.js model file. */

/** Where in a model file a problem is: the layer, weight or option involved. */
export interface ModelFileLocation {
  layer?: string;
  weight?: string;
  option?: string;
}

/**
 * A model file that tfc cannot import: malformed, inconsistent or using
 * something unsupported. The message starts with the file and names the
 * layer / weight / option involved, e.g.
 * `model.json: layer 'dense_1': weight 'dense_1/kernel': ...`.
 */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    readonly location: ModelFileLocation = {},
    options?: ErrorOptions,
  ) {
    const parts = [file];
    if (location.layer !== undefined) parts.push(`layer '${location.layer}'`);
    if (location.weight !== undefined) parts.push(`weight '${location.weight}'`);
    if (location.option !== undefined) parts.push(`option '${location.option}'`);
    super(`${parts.join(': ')}: ${detail}`, options);
    this.name = 'ModelFileError';
  }
}
