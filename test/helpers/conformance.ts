/**
 * Loads the conformance suite: the synthetic Keras cases kept in the
 * repository (test/conformance/keras, listed in index.json) and the real
 * trained models beside it (../shared/conformance/real, one folder each),
 * which a fresh clone does not have. Each case has a model.json, case.json
 * and per-sample input / expected .npy files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { readNpy } from '../../compiler/io/npy.js';
import { onCi } from './ci.js';
import type { Tolerance } from './tolerance.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The synthetic Keras suite, a copy of ../shared/conformance/keras kept in the repository. */
export const kerasSuiteDir = path.join(repoRoot, 'test/conformance/keras');

/** The folder of one synthetic Keras case, e.g. kerasCaseDir('dense_mlp'). */
export function kerasCaseDir(name: string): string {
  return path.join(kerasSuiteDir, name);
}

/** The real-model suite as the test output names it. */
const REAL_SUITE_LABEL = '../shared/conformance/real';
const realRoot = path.resolve(repoRoot, '../shared/conformance/real');

/** The real-model suite's folder, or null when it is not beside the repository. */
export const realSuiteDir: string | null = existsSync(realRoot) ? realRoot : null;

/**
 * Says, in the calling test file, that its real-model cases did not run
 * because the suite is absent: a skipped test naming the reason (and the
 * same line on stderr), or under CI=true a failing one. Does nothing when the
 * suite is present.
 */
export function reportMissingRealSuite(): void {
  if (realSuiteDir) return;
  if (onCi) {
    it(`real-model suite required under CI=true: ${REAL_SUITE_LABEL} not found`, () => {
      throw new Error(`the real-model suite is required under CI=true, but ${realRoot} does not exist`);
    });
  } else {
    const reason = `real-model suite skipped: ${REAL_SUITE_LABEL} not found`;
    it.skip(reason);
    // The default reporter does not name skipped tests; this line shows the reason in any case.
    console.warn(reason);
  }
}

/** The case keys ('keras/dense_mlp', 'real/abalone-mlp') whose suite is present: real/ ones drop out without the real suite. */
export function availableCaseKeys(keys: readonly string[]): string[] {
  return keys.filter((k) => realSuiteDir !== null || !k.startsWith('real/'));
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

/** Every case: keras/ in index.json order, then real/ folders sorted by name when the real-model suite is present. */
export function listConformanceCases(): ConformanceCase[] {
  const index = JSON.parse(readFileSync(path.join(kerasSuiteDir, 'index.json'), 'utf8')) as { cases: { name: string }[] };
  const keras = index.cases.map((c) => readCase('keras', kerasCaseDir(c.name)));
  if (!realSuiteDir) return keras;
  const real = readdirSync(realSuiteDir)
    .filter((d) => statSync(path.join(realSuiteDir, d)).isDirectory())
    .sort()
    .map((d) => readCase('real', path.join(realSuiteDir, d)));
  return [...keras, ...real];
}

export function readTensor(file: string): Tensor {
  return readNpy(new Uint8Array(readFileSync(file)), file);
}

/** A sample's inputs and expected outputs as tensors. */
export function loadSample(sample: ConformanceSample): { inputs: Tensor[]; expected: Tensor[] } {
  return { inputs: sample.inputFiles.map(readTensor), expected: sample.expectedFiles.map(readTensor) };
}
