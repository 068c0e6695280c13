/** The table of Keras layer classes tfc understands, keyed by Keras class name. */
import { LayerError, type LayerDef } from './layer.js';

const layers = new Map<string, LayerDef>();

export function registerLayer<C>(def: LayerDef<C>): LayerDef<C> {
  if (layers.has(def.className)) throw new Error(`layer '${def.className}' is registered twice`);
  layers.set(def.className, def as LayerDef);
  return def;
}

/** The definition of a Keras layer class; `where` names the layer for the error. */
export function getLayer(className: string, where: string): LayerDef {
  const def = layers.get(className);
  if (!def) {
    throw new LayerError(`${where}: unknown layer class '${className}' (see \`tfc layers\` for the supported classes)`);
  }
  return def;
}

export function layerClasses(): string[] {
  return [...layers.keys()].sort();
}
