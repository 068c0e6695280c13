/**
 * The small conformance models the fuzzers damage, found without vitest (the
 * fuzz script runs outside it): the repository's copy of the Keras suite
 * (test/conformance/keras), else ../shared/conformance/keras.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../compiler/io/npy.js';
import type { Tensor } from '../../compiler/ir/tensor.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUITES = [path.join(repoRoot, 'test/conformance/keras'), path.resolve(repoRoot, '../shared/conformance/keras')];

/** The folder of a Keras conformance case (model.json, weights.bin, case.json, .npy samples). */
export function conformanceModelDir(name: string): string {
  const dir = SUITES.map((s) => path.join(s, name)).find((d) => existsSync(path.join(d, 'model.json')));
  if (!dir) throw new Error(`conformance case '${name}' not found in ${SUITES.join(' or ')}`);
  return dir;
}

/** The inputs of the case's first sample. */
export function firstSampleInputs(dir: string): Tensor[] {
  const json = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as { samples: { inputs: string[] }[] };
  return json.samples[0].inputs.map((f) => readNpy(new Uint8Array(readFileSync(path.join(dir, f))), f));
}
