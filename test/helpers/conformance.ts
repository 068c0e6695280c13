/**
 * Loads the conformance suite in ../shared/conformance: the generated Keras
 * cases (keras/, listed in index.json) and the real trained models (real/,
 * one folder each). Each case has a model.json, case.json and per-sample
 * input / expected .npy files. A missing suite is an error, never a skip.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { readNpy } from '../../compiler/io/npy.js';
import type { Tolerance } from './tolerance.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared folder next to the repository; throws when it is absent. */
export function sharedDir(): string {
  const dir = path.resolve(repoRoot, '../shared');
  if (!existsSync(path.join(dir, 'conformance'))) {
    throw new Error(`conformance suite not found: expected ${path.join(dir, 'conformance')} (the shared folder next to the repository)`);
  }
  return dir;
}

export interface ConformanceSample {
  batch: number;
  inputFiles: string[];
  expectedFiles: string[];
}

export interface ConformanceCase {
  suite: 'keras' | 'real';
  name: string;
  dir: string;
  modelFile: string;
  description: string;
  /** Output names in model order (absent in real/ cases). */
  outputNames?: string[];
  tolerance: Tolerance;
  samples: ConformanceSample[];
}

interface CaseJson {
  description?: string;
  outputs?: { name: string }[];
  tolerance: Tolerance;
  samples: { batch?: number; inputs: string[]; expected: string[] }[];
}

function readCase(suite: 'keras' | 'real', dir: string): ConformanceCase {
  const caseFile = path.join(dir, 'case.json');
  const json = JSON.parse(readFileSync(caseFile, 'utf8')) as CaseJson;
  if (!json.tolerance || !Array.isArray(json.samples) || json.samples.length === 0) {
    throw new Error(`${caseFile}: needs 'tolerance' and a non-empty 'samples' list`);
  }
  return {
    suite,
    name: path.basename(dir),
    dir,
    modelFile: path.join(dir, 'model.json'),
    description: json.description ?? '',
    outputNames: json.outputs?.map((o) => o.name),
    tolerance: json.tolerance,
    samples: json.samples.map((s) => ({
      batch: s.batch ?? 1,
      inputFiles: s.inputs.map((f) => path.join(dir, f)),
      expectedFiles: s.expected.map((f) => path.join(dir, f)),
    })),
  };
}

/** Every case of both suites: keras/ in index.json order, then real/ folders sorted by name. */
export function listConformanceCases(): ConformanceCase[] {
  const root = path.join(sharedDir(), 'conformance');
  const index = JSON.parse(readFileSync(path.join(root, 'keras', 'index.json'), 'utf8')) as { cases: { name: string }[] };
  const keras = index.cases.map((c) => readCase('keras', path.join(root, 'keras', c.name)));
  const realRoot = path.join(root, 'real');
  const real = readdirSync(realRoot)
    .filter((d) => statSync(path.join(realRoot, d)).isDirectory())
    .sort()
    .map((d) => readCase('real', path.join(realRoot, d)));
  return [...keras, ...real];
}

export function readTensor(file: string): Tensor {
  return readNpy(new Uint8Array(readFileSync(file)), file);
}

/** A sample's inputs and expected outputs as tensors. */
export function loadSample(sample: ConformanceSample): { inputs: Tensor[]; expected: Tensor[] } {
  return { inputs: sample.inputFiles.map(readTensor), expected: sample.expectedFiles.map(readTensor) };
}
