/**
 * The TF.js layers-model importer: real-file quirks, every import error (on
 * corrupted copies written to a temp dir), quantized and float16 weights, and
 * nested / shared / multi-output models checked against TensorFlow.js itself.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKerasFile, ModelFileError } from '../../compiler/frontend/keras/index.js';
import { halfToFloat } from '../../compiler/frontend/keras/weights.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { f32, type Tensor } from '../../compiler/ir/tensor.js';
import { LayerError } from '../../compiler/layers/layer.js';
import { listConformanceCases, loadSample, realSuiteDir, repoRoot, reportMissingRealSuite } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';

/** A copy of the real-model suite's abalone-mlp, kept in the repository (see test/fixtures/README.md). */
const abaloneDir = path.join(repoRoot, 'test/fixtures/abalone-mlp');

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: Record<string, unknown>;
}
interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: ManifestWeight[] }[];
  [key: string]: unknown;
}

let tmp: string;
let counter = 0;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tfc-tfjs-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes files (name -> content) into a fresh folder; returns the path of its model.json. */
function writeModel(files: Record<string, string | Uint8Array>): string {
  const dir = path.join(tmp, `m${counter++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return path.join(dir, 'model.json');
}

/** A fresh copy of the abalone-mlp files to corrupt. */
function abalone(): { json: ModelJson; bin: Uint8Array } {
  return {
    json: JSON.parse(readFileSync(path.join(abaloneDir, 'model.json'), 'utf8')) as ModelJson,
    bin: new Uint8Array(readFileSync(path.join(abaloneDir, 'weights.bin'))),
  };
}

async function importError(file: string): Promise<Error> {
  try {
    await loadKerasFile(file);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`importing ${file} did not fail`);
}

function run(spec: Awaited<ReturnType<typeof loadKerasFile>>, inputs: Tensor[]): Tensor[] {
  return interpret(lowerModel(spec).graph, inputs);
}

describe('real model files', () => {
  reportMissingRealSuite();
  it('reads a TF.js-saved Sequential with batch_input_shape on the first layer', async () => {
    const spec = await loadKerasFile(path.join(abaloneDir, 'model.json'));
    expect(spec.kind).toBe('Sequential');
    expect(spec.inputs).toEqual([{ name: 'dense_Dense1_input', dtype: 'f32', shape: ['N', 8] }]);
    expect(spec.outputs.map((o) => o.name)).toEqual(['dense_Dense3']);
    expect(spec.layers.map((l) => [...l.weights.keys()])).toEqual([
      ['kernel', 'bias'],
      ['kernel', 'bias'],
      ['kernel', 'bias'],
    ]);
  });

  it.skipIf(!realSuiteDir)('reads a legacy Keras 2.1 Sequential (config is a list) with two weight groups out of layer order', async () => {
    const spec = await loadKerasFile(path.join(realSuiteDir!, 'nietzsche-char-lstm', 'model.json'));
    expect(spec.inputs).toEqual([{ name: 'lstm_2_input', dtype: 'f32', shape: ['N', 40, 57] }]);
    expect(spec.layers.map((l) => l.className)).toEqual(['LSTM', 'Dense', 'Activation']);
    expect(spec.layers[0].weights.get('kernel')?.shape).toEqual([57, 512]);
    expect(spec.layers[1].weights.get('bias')?.shape).toEqual([57]);
    expect(spec.outputs.map((o) => o.name)).toEqual(['activation_2']);
  });

  it.skipIf(!realSuiteDir)('matches weights by name when the manifest is alphabetical', async () => {
    const spec = await loadKerasFile(path.join(realSuiteDir!, 'ux-click-embedding-rnn', 'model.json'));
    const embedding = spec.layers.find((l) => l.name === 'embedding')!;
    expect(embedding.weights.get('embeddings')?.shape).toEqual([13, 2]);
  });

  it('loads a model.json with another name or without an extension by its content', async () => {
    const { json, bin } = abalone();
    const file = writeModel({ abalone: JSON.stringify(json), 'weights.bin': bin });
    const spec = await loadKerasFile(path.join(path.dirname(file), 'abalone'));
    expect(spec.layers).toHaveLength(3);
  });
});

describe('import errors', () => {
  const weightsOf = (json: ModelJson) => json.weightsManifest[0].weights;

  it('reports malformed JSON with its line and column', async () => {
    const text = readFileSync(path.join(abaloneDir, 'model.json'), 'utf8');
    const file = writeModel({ 'model.json': text.replace('"units":50,', '"units":50,,'), 'weights.bin': abalone().bin });
    const e = await importError(file);
    expect(e).toBeInstanceOf(ModelFileError);
    expect(e.message).toMatch(/model\.json: malformed JSON at line 1, column \d+/);
  });

  it('rejects a graph model and JSON that is not a model', async () => {
    const graph = writeModel({
      'model.json': JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }),
    });
    expect((await importError(graph)).message).toMatch(/model\.json: is a TF\.js graph model/);
    const legacyGraph = writeModel({ 'model.json': JSON.stringify({ modelTopology: { node: [], library: {} } }) });
    expect((await importError(legacyGraph)).message).toMatch(/graph model/);
    const other = writeModel({ 'model.json': JSON.stringify({ hello: 1 }) });
    expect((await importError(other)).message).toMatch(/model\.json: is not a TF\.js layers model: it has no 'modelTopology'/);
  });

  it('names a missing shard file', async () => {
    const file = writeModel({ 'model.json': JSON.stringify(abalone().json) });
    const e = await importError(file);
    expect(e).toBeInstanceOf(ModelFileError);
    expect(e.message).toMatch(/model\.json: weight file 'weights\.bin' named in weightsManifest\[0\] does not exist/);
  });

  it('reports a short shard with the bytes present and needed', async () => {
    const { json, bin } = abalone();
    const file = writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin.subarray(0, bin.length - 8) });
    const e = await importError(file);
    expect(e.message).toMatch(
      /weight 'dense_Dense3\/kernel': weight group 0 \(weights\.bin\) holds 12196 bytes but the manifest needs 12204/,
    );
  });

  it('reports shards longer than the manifest describes', async () => {
    const { json, bin } = abalone();
    const file = writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': new Uint8Array([...bin, 0, 0, 0, 0]) });
    expect((await importError(file)).message).toMatch(/holds 12208 bytes but its manifest entries describe only 12204/);
  });

  it('reports a manifest shape that does not fit the layer', async () => {
    const { json, bin } = abalone();
    weightsOf(json)[0].shape = [4, 100];
    const e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin }));
    expect(e.message).toMatch(
      /layer 'dense_Dense1': weight 'dense_Dense1\/kernel': has shape \[4,100\] in the file, but the Dense layer needs \[8,50\]/,
    );
  });

  it('reports a weight the manifest lacks', async () => {
    const { json, bin } = abalone();
    weightsOf(json).pop();
    const e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin.subarray(0, bin.length - 4) }));
    expect(e.message).toMatch(/layer 'dense_Dense3': weight 'dense_Dense3\/bias': the Dense layer needs this weight, but the file does not have it/);
  });

  it('reports manifest weights that belong to no layer weight', async () => {
    const { json, bin } = abalone();
    weightsOf(json).push({ name: 'dense_Dense3/gamma', shape: [1], dtype: 'float32' });
    const padded = new Uint8Array([...bin, 0, 0, 0, 0]);
    let e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': padded }));
    expect(e.message).toMatch(/weight 'dense_Dense3\/gamma': does not match any weight .*layer 'dense_Dense3' \(Dense\) has weights kernel, bias/);
    weightsOf(json)[6].name = 'nowhere/kernel';
    e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': padded }));
    expect(e.message).toMatch(/weight 'nowhere\/kernel': does not match any weight .*no layer is named 'nowhere'/);
  });

  it('names an unknown layer class and the layer', async () => {
    const { json, bin } = abalone();
    const layers = (json.modelTopology.config as { layers: { class_name: string }[] }).layers;
    layers[1].class_name = 'FancyDense';
    const e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin }));
    expect(e).toBeInstanceOf(LayerError);
    expect(e.message).toMatch(/layer 'dense_Dense2' \(FancyDense\) in .*model\.json: unknown layer class 'FancyDense'/);
  });

  it('rejects unsupported dtypes and quantizations', async () => {
    const { json, bin } = abalone();
    weightsOf(json)[1].dtype = 'string';
    let e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin }));
    expect(e.message).toMatch(/weight 'dense_Dense1\/bias': unsupported dtype "string"/);
    weightsOf(json)[1].dtype = 'float32';
    weightsOf(json)[1].quantization = { dtype: 'int4', min: 0, scale: 1 };
    e = await importError(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin }));
    expect(e.message).toMatch(/weight 'dense_Dense1\/bias': unsupported quantization dtype "int4"/);
  });

  it('rejects a file whose extension and content fit no importer', async () => {
    const dir = path.dirname(writeModel({ 'm.bin': 'xyz' }));
    expect((await importError(path.join(dir, 'm.bin'))).message).toMatch(/m\.bin: unsupported model file/);
  });
});

/** Quantizes like the TF.js converter: `q = round((w - min) / scale)`, `scale = (max - min) / (2^bits - 1)`. */
function quantize(values: Float32Array, bits: 8 | 16): { q: Uint8Array | Uint16Array; min: number; scale: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const scale = (max - min) / (2 ** bits - 1) || 1;
  const q = bits === 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  values.forEach((v, i) => (q[i] = Math.round((v - min) / scale)));
  return { q, min, scale };
}

/** float32 -> IEEE half bits by exhaustive nearest search over the 2^16 codes (test-only, independent of the decoder). */
function toHalfBits(values: Float32Array): Uint16Array {
  const codes = Array.from({ length: 0x7c00 }, (_, h) => halfToFloat(h));
  return Uint16Array.from(values, (v) => {
    const a = Math.abs(v);
    let lo = 0;
    let hi = codes.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (codes[mid] <= a) lo = mid;
      else hi = mid;
    }
    const h = a - codes[lo] <= codes[hi] - a ? lo : hi;
    return v < 0 ? h | 0x8000 : h;
  });
}

describe('quantized and float16 weights', () => {
  const float = abalone();
  const floatWeights: Float32Array[] = [];
  let offset = 0;
  for (const w of float.json.weightsManifest[0].weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    floatWeights.push(new Float32Array(float.bin.slice(offset, offset + 4 * n).buffer));
    offset += 4 * n;
  }
  const samples = [0, 1, 2].map((k) =>
    loadSample({
      batch: 1,
      inputFiles: [path.join(abaloneDir, `input_${k}.npy`)],
      expectedFiles: [path.join(abaloneDir, `expected_${k}.npy`)],
    }),
  );

  async function loadEncoded(encode: (w: Float32Array, entry: ManifestWeight) => Uint8Array) {
    const json = abalone().json;
    const parts = json.weightsManifest[0].weights.map((entry, i) => encode(floatWeights[i], entry));
    const bin = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bin.set(p, at);
      at += p.length;
    }
    return loadKerasFile(writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': bin }));
  }

  for (const bits of [8, 16] as const) {
    it(`decodes uint${bits} weights as q * scale + min and stays close to the float model`, async () => {
      const expectedWeights: Tensor[] = [];
      const spec = await loadEncoded((w, entry) => {
        const { q, min, scale } = quantize(w, bits);
        entry.quantization = { dtype: `uint${bits}`, min, scale };
        expectedWeights.push(f32(entry.shape, Array.from(q, (v) => v * scale + min)));
        return new Uint8Array(q.buffer);
      });
      const got = spec.layers.flatMap((l) => [l.weights.get('kernel')!, l.weights.get('bias')!]);
      got.forEach((t, i) => expect(compareTensors(t, expectedWeights[i], { rtol: 1e-6, atol: 1e-7 })).toBeNull());
      // Each weight moves by at most scale / 2 = range / (2 (2^bits - 1)); through three
      // sigmoid-damped layers the predicted ring count (about 10) moves by well under
      // 1% for uint8 and 0.01% for uint16.
      const tol = bits === 8 ? { rtol: 1e-2, atol: 1e-2 } : { rtol: 1e-4, atol: 1e-4 };
      for (const s of samples) expect(compareTensors(run(spec, s.inputs)[0], s.expected[0], tol)).toBeNull();
    });
  }

  it('decodes float16 storage (dtype float16 and float16 quantization)', async () => {
    for (const mode of ['quantization', 'dtype'] as const) {
      const spec = await loadEncoded((w, entry) => {
        if (mode === 'quantization') entry.quantization = { dtype: 'float16' };
        else entry.dtype = 'float16';
        return new Uint8Array(toHalfBits(w).buffer);
      });
      const kernel = spec.layers[0].weights.get('kernel')!;
      // Half precision keeps 11 significant bits: relative error <= 2^-11.
      expect(compareTensors(kernel, f32([8, 50], floatWeights[0]), { rtol: 2 ** -11, atol: 1e-7 })).toBeNull();
      const tol = { rtol: 1e-3, atol: 1e-3 };
      for (const s of samples) expect(compareTensors(run(spec, s.inputs)[0], s.expected[0], tol)).toBeNull();
    }
  });

  it('reads a group whose shards split a weight in the middle', async () => {
    const { json, bin } = abalone();
    json.weightsManifest[0].paths = ['part-a', 'part-b'];
    const file = writeModel({ 'model.json': JSON.stringify(json), 'part-a': bin.subarray(0, 1001), 'part-b': bin.subarray(1001) });
    const spec = await loadKerasFile(file);
    for (const s of samples) expect(compareTensors(run(spec, s.inputs)[0], s.expected[0])).toBeNull();
  });
});

/** Saves a TF.js model as model.json + weights.bin in a fresh folder. */
async function saveTfjs(model: tf.LayersModel): Promise<string> {
  let file = '';
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      const data = artifacts.weightData as ArrayBuffer;
      file = writeModel({ 'model.json': JSON.stringify(json), 'weights.bin': new Uint8Array(data) });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return file;
}

function randomInput(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  return f32(shape, Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2));
}

/** Imports a TF.js model and checks tfc's outputs against TF.js' predictions. */
async function checkAgainstTfjs(model: tf.LayersModel, inputShapes: number[][], outputNames: string[]) {
  const spec = await loadKerasFile(await saveTfjs(model));
  expect(spec.outputs.map((o) => o.name)).toEqual(outputNames);
  const inputs = inputShapes.map((s, i) => randomInput([3, ...s], i + 1));
  const predicted = model.predict(inputs.map((t) => tf.tensor(t.data as Float32Array, t.shape)));
  const want = (Array.isArray(predicted) ? predicted : [predicted]).map((t) => f32(t.shape, t.dataSync()));
  const got = run(spec, inputs);
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(compareTensors(g, want[i])).toBeNull());
  return spec;
}

describe('containers checked against TensorFlow.js', () => {
  it('flattens a Sequential holding a functional Model and a Sequential', async () => {
    const x = tf.input({ shape: [5], name: 'inner_in' });
    const h = tf.layers.dense({ units: 6, activation: 'tanh', name: 'inner_dense' }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 4, name: 'inner_out' }).apply(h) as tf.SymbolicTensor;
    const inner = tf.model({ inputs: x, outputs: y, name: 'inner_model' });
    const innerSeq = tf.sequential({ name: 'inner_seq', layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'seq_dense' })] });
    const outer = tf.sequential({ layers: [inner, innerSeq, tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' })] });
    const spec = await checkAgainstTfjs(outer, [[5]], ['head']);
    expect(spec.layers.map((l) => l.name)).toEqual(['inner_dense', 'inner_out', 'seq_dense', 'head']);
  });

  it('shares weights between calls of one layer and of one nested model; names repeated outputs', async () => {
    const a = tf.input({ shape: [4], name: 'a' });
    const b = tf.input({ shape: [4], name: 'b' });
    const shared = tf.layers.dense({ units: 4, activation: 'relu', name: 'shared' });
    const sa = shared.apply(a) as tf.SymbolicTensor;
    const sb = shared.apply(b) as tf.SymbolicTensor;
    const sub = tf.sequential({ name: 'sub', layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'sub_dense' })] });
    const ua = sub.apply(sa) as tf.SymbolicTensor;
    const ub = sub.apply(sb) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([ua, ub]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: [sum, sa, sb] });
    const spec = await checkAgainstTfjs(model, [[4], [4]], ['sum', 'shared', 'shared_1']);
    expect(spec.calls.filter((c) => c.layer === 'shared').map((c) => c.index)).toEqual([0, 1]);
    expect(spec.calls.filter((c) => c.layer === 'sub_dense')).toHaveLength(2);
  });
  it('wires each call of a nested functional model with two outputs', async () => {
    const subIn = tf.input({ shape: [3], name: 'sub_in' });
    const h = tf.layers.dense({ units: 4, activation: 'tanh', name: 'sub_h' }).apply(subIn) as tf.SymbolicTensor;
    const o1 = tf.layers.dense({ units: 2, name: 'sub_o1' }).apply(h) as tf.SymbolicTensor;
    const o2 = tf.layers.dense({ units: 5, activation: 'sigmoid', name: 'sub_o2' }).apply(h) as tf.SymbolicTensor;
    const sub = tf.model({ inputs: subIn, outputs: [o1, o2], name: 'pair' });
    const x = tf.input({ shape: [3], name: 'x' });
    const y = tf.input({ shape: [3], name: 'y' });
    const [x1, x2] = sub.apply(x) as tf.SymbolicTensor[];
    const [y1, y2] = sub.apply(y) as tf.SymbolicTensor[];
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([x2, y1, x1]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [x, y], outputs: [joined, y2] });
    await checkAgainstTfjs(model, [[3], [3]], ['joined', 'pair']);
  });
});

describe('the conformance suite imports', () => {
  it.each(listConformanceCases().map((c) => [`${c.suite}/${c.name}`, c] as const))('%s', async (_label, c) => {
    const spec = await loadKerasFile(c.modelFile);
    if (c.outputNames) expect(spec.outputs.map((o) => o.name)).toEqual(c.outputNames);
  });
});
