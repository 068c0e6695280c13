/** `tfc layers`: lists the Keras layer classes and activations tfc can import and lower. */
import { activationNames } from '../layers/activations.js';
import '../layers/index.js';
import { layerClasses } from '../layers/registry.js';

export function layersCommand(): void {
  process.stdout.write(`Keras layer classes:\n  ${layerClasses().join('\n  ')}\n\nActivations:\n  ${activationNames().join('\n  ')}\n`);
}
