/** Small building blocks the case tables share. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Fixtures } from '../case.js';
import { tinyInput, writeTinyTfjs, type Json, type TfjsFiles } from '../tiny_model.js';

/** `tfc run model.json --input x.npy --output y.npy`. */
export const RUN = ['run', 'model.json', '--input', 'x.npy', '--output', 'y.npy'];

export type Setup = (dir: string, fx: Fixtures) => void | Promise<void>;

export function write(dir: string, name: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  writeFileSync(path.join(dir, name), data);
}

/** The tiny model (edited) and a valid input x.npy. */
export function tfjs(edit: (files: TfjsFiles) => void = () => undefined, topology?: Json): Setup {
  return (dir) => {
    writeTinyTfjs(dir, edit, topology);
    write(dir, 'x.npy', tinyInput());
  };
}

type Layer = { name?: string; class_name: string; config: Json; inbound_nodes?: unknown[] };

/** The layers of the model's topology, to edit in place. */
export function layersOf(files: TfjsFiles): Layer[] {
  return ((files.json.modelTopology as Json).config as Json).layers as Layer[];
}

export function configOf(files: TfjsFiles): Json {
  return (files.json.modelTopology as Json).config as Json;
}

/** The first weight group of the manifest, to edit in place. */
export function groupOf(files: TfjsFiles): { paths: string[]; weights: { name: string; shape: unknown; dtype: unknown }[] } {
  return (files.json.weightsManifest as never[])[0];
}

/** A setup writing files verbatim, plus the valid x.npy. */
export function files(entries: Record<string, string | Uint8Array>): Setup {
  return (dir) => {
    for (const [name, data] of Object.entries(entries)) write(dir, name, data);
    write(dir, 'x.npy', tinyInput());
  };
}

export function both(...setups: Setup[]): Setup {
  return async (dir, fx) => {
    for (const s of setups) await s(dir, fx);
  };
}
