/**
 * The models bench/models.ts runs, each prepared as a TF.js layers model
 * (`model.json` + shards, which TF.js loads) and a tfc bundle built from that
 * same file, so both engines run the same weights. Bundles are built by
 * `tfc build --target wasm`, called in process.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCommand } from '../driver/cli/build.js';
import { input, layers, model, type Model } from '../compiler/frontend/dsl/index.js';
import { readNpy } from '../compiler/io/npy.js';
import { mobileNetV2 } from '../examples/mobilenet_v2/model.js';

export type InputData = Float32Array | Int32Array;

export interface BenchInput {
  data: InputData;
  shape: number[];
}

/** One benchmarked configuration: a model file and the inputs of one batch size. */
export interface BenchCase {
  /** `model@bN`, the row label. */
  label: string;
  model: string;
  batch: number;
  /** Weight elements in model.json (trainable and not). */
  params: number;
  /** Size of the bundle's model.wasm (code; weights live in weights.bin). */
  codeBytes: number;
  /** The TF.js layers model both engines load (tfc through its bundle). */
  modelJson: string;
  bundleDir: string;
  inputs: BenchInput[];
}

/** The synthetic Keras conformance suite kept in the repository. */
export const KERAS_SUITE = path.resolve(import.meta.dirname, '../test/conformance/keras');
/** The real trained models: beside the repository in ../shared, which a clone does not have. */
export const REAL_SUITE = path.resolve(import.meta.dirname, '../../shared/conformance/real');
export const REAL_SUITE_MISSING = 'real models skipped: ../shared/conformance/real not found';
const REAL_MODELS = ['abalone-mlp', 'ux-click-embedding-rnn', 'quickdraw-cnn', 'nietzsche-char-lstm'];

/** Deterministic float32 values in [lo, hi): inputs are random but the same in every run. */
export function randomInput(shape: number[], seed: number, lo = -1, hi = 1): BenchInput {
  const data = new Float32Array(shape.reduce((n, d) => n * d, 1));
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return { data, shape };
}

/** The first sample of a conformance case, cut to its first row (batch 1). */
export async function conformanceInputs(dir: string): Promise<BenchInput[]> {
  const caseJson = JSON.parse(await readFile(path.join(dir, 'case.json'), 'utf8')) as { samples: { inputs: string[] }[] };
  return Promise.all(
    caseJson.samples[0].inputs.map(async (file) => {
      const t = readNpy(new Uint8Array(await readFile(path.join(dir, file))), file);
      const perRow = t.shape.slice(1).reduce((n, d) => n * d, 1);
      const rows = t.data.slice(0, perRow);
      return { data: t.dtype === 'i32' ? Int32Array.from(rows) : Float32Array.from(rows), shape: [1, ...t.shape.slice(1)] };
    }),
  );
}

/** Weight elements listed in a TF.js model.json's weights manifest. */
export async function countParams(modelJson: string): Promise<number> {
  const json = JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  return json.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((m, d) => m * d, 1), 0);
}

/** Builds a bundle folder with the CLI's own `tfc build --target wasm` (in process); returns model.wasm's size. */
export async function buildBundle(modelFile: string, outDir: string): Promise<number> {
  await buildCommand(modelFile, { target: 'wasm', out: outDir });
  const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as {
    targets: { wasm: { file: string } };
    files: Record<string, { bytes: number }>;
  };
  return manifest.files[manifest.targets.wasm.file].bytes;
}

/** A plain ReLU MLP, 784 -> 512 -> 512 -> 10 softmax (669k parameters): GEMM-bound at batch 64. */
export function largeMlp(): Model {
  const x = input({ shape: [784], name: 'pixels' });
  let h = layers.dense({ units: 512, activation: 'relu', name: 'fc1' }).apply(x);
  h = layers.dense({ units: 512, activation: 'relu', name: 'fc2' }).apply(h);
  const y = layers.dense({ units: 10, activation: 'softmax', name: 'logits' }).apply(h);
  return model({ inputs: x, outputs: y, name: 'mlp_784_512_512_10' });
}

/**
 * Every case whose label contains `only` (all when it is undefined), with
 * TF.js files saved (DSL models) and bundles built under `work`.
 */
export async function prepareCases(work: string, log: (line: string) => void, only?: string): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  const add = async (name: string, modelJson: string, all: { batch: number; inputs: BenchInput[] }[]): Promise<void> => {
    const batches = all.filter(({ batch }) => only === undefined || `${name}@b${batch}`.includes(only));
    if (batches.length === 0) return;
    const bundleDir = path.join(work, 'bundles', name);
    const start = performance.now();
    const codeBytes = await buildBundle(modelJson, bundleDir);
    log(`built ${name}: model.wasm ${codeBytes} bytes in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const params = await countParams(modelJson);
    for (const { batch, inputs } of batches) {
      cases.push({ label: `${name}@b${batch}`, model: name, batch, params, codeBytes, modelJson, bundleDir, inputs });
    }
  };

  if (existsSync(REAL_SUITE)) {
    for (const name of REAL_MODELS) {
      const dir = path.join(REAL_SUITE, name);
      await add(name, path.join(dir, 'model.json'), [{ batch: 1, inputs: await conformanceInputs(dir) }]);
    }
  } else log(REAL_SUITE_MISSING);
  const denseMlp = path.join(KERAS_SUITE, 'dense_mlp');
  const [mlpRow] = await conformanceInputs(denseMlp);
  await add('dense_mlp', path.join(denseMlp, 'model.json'), [
    { batch: 1, inputs: [mlpRow] },
    { batch: 64, inputs: [randomInput([64, ...mlpRow.shape.slice(1)], 64)] },
  ]);
  const large = await largeMlp().save(path.join(work, 'tfjs', 'mlp_784_512_512_10'));
  await add('mlp_784_512_512_10', large, [
    { batch: 1, inputs: [randomInput([1, 784], 1, 0, 1)] },
    { batch: 64, inputs: [randomInput([64, 784], 2, 0, 1)] },
  ]);
  const mobilenet = await mobileNetV2().save(path.join(work, 'tfjs', 'mobilenetv2_1.00_224'));
  await add('mobilenetv2_1.00_224', mobilenet, [{ batch: 1, inputs: [randomInput([1, 224, 224, 3], 3)] }]);
  return cases;
}
