/**
 * The runtime on a hand-built bundle (see fixture.ts): y = 2.5 x at the
 * layout's offsets. Checks predict in every input form and at batch sizes
 * that need memory to grow, the model's description, input errors naming
 * the signature, and load errors on damaged bundles.
 */
import { cpSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, InputError, loadModel, type Model, type TensorLike } from '../../runtime/index.js';
import { writeScaleBundle } from './bundle_dir.js';

let tmp: string;
let dir: string;
let model: Model;

beforeAll(async () => {
  ({ tmp, dir } = await writeScaleBundle('tfc-runtime-'));
  model = await loadModel(dir);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function input(batch: number): TensorLike {
  return { data: Float32Array.from({ length: batch * 4 }, (_, i) => i - 3.25), shape: [batch, 4] };
}

function expectScaled(out: TensorLike, x: TensorLike): void {
  expect(out.data).toBeInstanceOf(Float32Array);
  expect(out.shape).toEqual(x.shape);
  expect(Array.from(out.data)).toEqual(Array.from(x.data, (v) => Math.fround(v * 2.5)));
}

describe('runtime predict', () => {
  it.each([1, 3, 1000])('runs at batch %i (memory grows as needed)', async (batch) => {
    const x = input(batch);
    expectScaled((await model.predict(x)) as TensorLike, x);
  });

  it('returns the form it was given: tensor, array, object by name', async () => {
    const x = input(2);
    expectScaled((await model.predict(x)) as TensorLike, x);
    const arr = (await model.predict([x])) as TensorLike[];
    expect(arr).toHaveLength(1);
    expectScaled(arr[0], x);
    const named = (await model.predict({ x })) as Record<string, TensorLike>;
    expect(Object.keys(named)).toEqual(['y']);
    expectScaled(named.y, x);
  });

  it('describes the model', () => {
    expect(model.inputs).toEqual([{ name: 'x', dtype: 'f32', shape: ['N', 4] }]);
    expect(model.outputs).toEqual([{ name: 'y', dtype: 'f32', shape: ['N', 4] }]);
    const s = model.summary();
    expect(s).toMatchObject({ name: 'scale', backend: 'wasm', kernels: 1, kernelOps: { mul: 1 }, weightBytes: 4, arenaBytesAtBatch1: 512 });
    expect(s.codeBytes).toBe(readFileSync(path.join(dir, 'model.wasm')).length);
  });

  it('loads from a file: URL', async () => {
    const m = await loadModel(pathToFileURL(dir), { backend: 'wasm' });
    expectScaled((await m.predict(input(1))) as TensorLike, input(1));
    m.dispose();
  });
});

describe('runtime input errors name the signature', () => {
  const signature = '(x: f32[N,4]) -> (y: f32[N,4])';
  it.each([
    ['a wrong count', (): unknown => [input(1), input(1)], 'predict got 2 input(s), the model takes 1'],
    ['a wrong shape', (): unknown => ({ data: new Float32Array(5), shape: [1, 5] }), "input 0 'x' has shape [1,5], expected [N,4]"],
    ['a wrong rank', (): unknown => ({ data: new Float32Array(4), shape: [4] }), "input 0 'x' has shape [4], expected [N,4]"],
    ['a wrong dtype', (): unknown => ({ data: new Int32Array(4), shape: [1, 4] }), "input 0 'x' must be f32 (a Float32Array), got Int32Array"],
    ['too few values', (): unknown => ({ data: new Float32Array(4), shape: [2, 4] }), "input 0 'x' has 4 values for shape [2,4], which needs 8"],
    ['an unknown name', (): unknown => ({ z: input(1) }), "predict got an input named 'z', which the model does not have"],
    ['a zero batch', (): unknown => ({ data: new Float32Array(0), shape: [0, 4] }), "input 0 'x' has shape [0,4], expected [N,4]"],
  ])('%s', async (_what, make, message) => {
    const err = await model.predict(make() as TensorLike).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${message}; the model's signature is ${signature}`);
  });

  it('refuses to predict after dispose', async () => {
    const m = await loadModel(dir);
    m.dispose();
    await expect(m.predict(input(1))).rejects.toThrow("model 'scale' was disposed");
  });
});

describe('runtime load errors on damaged bundles', () => {
  let n = 0;
  async function damaged(edit: (d: string) => void): Promise<unknown> {
    const copy = path.join(tmp, `damaged-${n++}`);
    cpSync(dir, copy, { recursive: true });
    edit(copy);
    return loadModel(copy).then(() => undefined, (e: unknown) => e);
  }
  const editManifest = (d: string, change: (m: Record<string, unknown>) => void): void => {
    const file = path.join(d, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(m);
    writeFileSync(file, JSON.stringify(m));
  };

  it.each([
    [
      'a flipped byte in weights.bin',
      (d: string): void => {
        const file = path.join(d, 'weights.bin');
        const bytes = readFileSync(file);
        bytes[1] ^= 0x40;
        writeFileSync(file, bytes);
      },
      /'weights\.bin' is corrupt: its SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}/,
    ],
    ['a truncated weights.bin', (d: string): void => truncateSync(path.join(d, 'weights.bin'), 2), /'weights\.bin' is truncated: 2 bytes, the manifest says 4/],
    ['an unknown format version', (d: string): void => editManifest(d, (m) => (m.formatVersion = 99)), /unknown bundle format version 99; this runtime reads version 3/],
    ['a missing model.wasm', (d: string): void => unlinkSync(path.join(d, 'model.wasm')), /cannot read 'model\.wasm' \(missing file\)/],
    ['a missing manifest.json', (d: string): void => unlinkSync(path.join(d, 'manifest.json')), /cannot read 'manifest\.json' \(missing file\)/],
    ['a manifest that is not JSON', (d: string): void => writeFileSync(path.join(d, 'manifest.json'), '{'), /manifest\.json is not valid JSON/],
    ['a manifest without offsets', (d: string): void => editManifest(d, (m) => delete (m.targets as { wasm: Record<string, unknown> }).wasm.outputOffsets), /malformed 'targets\.wasm\.outputOffsets'/],
  ])('%s', async (_what, edit, message) => {
    const err = await damaged(edit);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(message);
  });

  it('an unknown backend', async () => {
    await expect(loadModel(dir, { backend: 'webgl' as 'wasm' })).rejects.toThrow("unknown backend 'webgl' (backends: auto, wasm, webgpu)");
  });
});
