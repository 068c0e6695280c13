/** `tfc layers`: lists the Keras layer classes and activations tfc can import and lower. */
import { activationNames } from '../../compiler/layers/activations.js';
import '../../compiler/layers/index.js';
import { layerClasses } from '../../compiler/layers/registry.js';

export function layersCommand(): void {
  process.stdout.write(`Keras layer classes:\n  ${layerClasses().join('\n  ')}\n\nActivations:\n  ${activationNames().join('\n  ')}\n`);
}
