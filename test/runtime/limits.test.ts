/**
 * Sizes past a limit end in one typed error naming the limit, before anything
 * is allocated: a batch that needs more than wasm32's 4 GiB (runtime and
 * interpreter), a manifest declaring an absurd shape, and a model whose
 * activations cannot fit a target's memory (refused before code generation).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { BundleError, LimitError, loadModel, type BundleManifest, type Model, type TensorLike } from '../../runtime/index.js';
import { tfc } from '../cli/tfc.js';
import { describeGpu, gpu } from '../targets/webgpu/check.js';

/** A one-layer Sequential model.json (zero weights): Dense(units) over inputs of `inputShape`. */
function writeDenseModel(dir: string, inputShape: number[], units: number): string {
  const features = inputShape[inputShape.length - 1];
  const layer = { class_name: 'Dense', config: { name: 'dense', units, use_bias: false, activation: 'linear', batch_input_shape: [null, ...inputShape] } };
  const model = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: path.basename(dir), layers: [layer] } },
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'dense/kernel', shape: [features, units], dtype: 'float32' }] }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(4 * features * units));
  return path.join(dir, 'model.json');
}

let tmp: string;
let wideModel: string;
let bundle: string;
let model: Model;
// Dense(4 -> 262144): 1 MiB of output per batch item, so batch 5000 needs 4.89 GiB (with the input and the arena offset).
const UNITS = 262144;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tfc-limits-'));
  wideModel = writeDenseModel(tmp, [4], UNITS);
  bundle = path.join(tmp, 'bundle');
  const build = await tfc(['build', wideModel, '--target', 'wasm,webgpu', '--out', bundle]);
  expect(build.stderr).toBe('');
  model = await loadModel(bundle, { backend: 'wasm' });
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const batchOf = (n: number) => ({ data: new Float32Array(4 * n).fill(1), shape: [n, 4] });

describe('a batch too large for WebAssembly memory', () => {
  it('is a LimitError naming what it needs and the limit, and the model still works after', async () => {
    const error = await model.predict(batchOf(5000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitError);
    expect((error as Error).message).toMatch(/^batch 5000 needs 4\.89 GiB of WebAssembly memory; the limit is 4 GiB — split the batch$/);
    const y = (await model.predict(batchOf(2))) as TensorLike;
    expect(y.shape).toEqual([2, UNITS]);
  });

  it('is one tfc: error: line from tfc run (the interpreter checks before allocating)', async () => {
    const x = path.join(tmp, 'x.npy');
    writeFileSync(x, writeNpy({ dtype: 'f32', shape: [5000, 4], data: new Float32Array(20000) }));
    const r = await tfc(['run', wideModel, '--input', x, '--output', path.join(tmp, 'y.npy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tfc: error: [^\n]*batch 5000 needs 4\.\d+ GiB in the interpreter; the limit is 4 GiB — split the batch\n$/);
  }, 30_000);
});

describeGpu('a batch too large for the GPU', () => {
  it('is a LimitError naming the device limit, and the model still works after', async () => {
    const onGpu = await loadModel(bundle, { backend: 'webgpu', gpu: gpu as GPU });
    try {
      const error = await onGpu.predict(batchOf(5000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LimitError);
      expect((error as Error).message).toMatch(/^batch 5000 (needs|makes) a [\d.]+ GiB .*this GPU's max(BufferSize|StorageBufferBindingSize) is [\d.]+ [KMG]iB — split the batch$/);
      const y = (await onGpu.predict(batchOf(2))) as TensorLike;
      expect(y.shape).toEqual([2, UNITS]);
    } finally {
      onGpu.dispose();
    }
  }, 60_000);
});

describe('a manifest declaring an absurd shape', () => {
  it('is refused at load with a BundleError, before anything is allocated', async () => {
    const dir = path.join(tmp, 'absurd');
    cpSync(bundle, dir, { recursive: true });
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as BundleManifest;
    manifest.outputs[0].shape = ['N', 1e12];
    writeFileSync(file, JSON.stringify(manifest));
    const error = await loadModel(dir, { backend: 'wasm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as Error).message).toContain('outputs[0].shape');
  });
});

describe('a model whose activations cannot fit a target', () => {
  it('is refused by tfc build before code generation, naming the tensor, its size and the limit', async () => {
    const dir = mkdtempSync(path.join(tmp, 'square-'));
    const square = writeDenseModel(dir, [40000, 1], 40000);
    for (const target of ['wasm', 'webgpu']) {
      const out = path.join(dir, `out-${target}`);
      const r = await tfc(['build', square, '--target', target, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `tfc: error: the matmul result f32[N,40000,40000] needs 5.96 GiB at batch 1; the ${target} target's limit is 4 GiB — make the model smaller\n`,
      );
    }
  }, 60_000);
});
