/**
 * A 20,000-layer Sequential model works through tfc summary, run and build:
 * no walk over the graph recurses per layer, and none is quadratic in the
 * layer count (fusion used to take minutes on such a chain).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../compiler/io/npy.js';
import { tfc } from './tfc.js';

const LAYERS = 20_000;

/** `count` layers of `make(i)` after an input of 4 features, with the weights each layer lists. */
function writeSequential(dir: string, make: (i: number) => { layer: object; weights: { name: string; shape: number[]; data: Float32Array }[] }): string {
  const layers: object[] = [];
  const specs: { name: string; shape: number[]; dtype: string }[] = [];
  const chunks: Float32Array[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const { layer, weights } = make(i);
    layers.push(layer);
    for (const w of weights) {
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32' });
      chunks.push(w.data);
    }
  }
  const model = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'deep', layers } },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
  const bytes = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(bytes.buffer));
  return path.join(dir, 'model.json');
}

const first = (i: number): object => (i === 0 ? { batch_input_shape: [null, 4] } : {});

let tmp: string;
let denseModel: string;
let activationModel: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tfc-deep-'));
  const denseDir = mkdtempSync(path.join(tmp, 'dense-'));
  // Identity kernels plus a bias of 1e-4: after n layers every output is x + n * 1e-4.
  const identity = Float32Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 1 : 0));
  denseModel = writeSequential(denseDir, (i) => ({
    layer: { class_name: 'Dense', config: { name: `d${i}`, units: 4, activation: 'linear', use_bias: true, ...first(i) } },
    weights: [
      { name: `d${i}/kernel`, shape: [4, 4], data: identity },
      { name: `d${i}/bias`, shape: [4], data: new Float32Array(4).fill(1e-4) },
    ],
  }));
  const activationDir = mkdtempSync(path.join(tmp, 'relu-'));
  activationModel = writeSequential(activationDir, (i) => ({ layer: { class_name: 'Activation', config: { name: `a${i}`, activation: 'relu', ...first(i) } }, weights: [] }));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe(`a ${LAYERS}-layer Sequential model`, () => {
  it('is summarized', async () => {
    const r = await tfc(['summary', denseModel]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`d${LAYERS - 1} (Dense)`);
    expect(r.stdout).toContain(`Total params: ${(LAYERS * 20).toLocaleString('en-US')}`);
  }, 60_000);

  it('runs in the interpreter', async () => {
    const x = path.join(tmp, 'x.npy');
    const y = path.join(tmp, 'y.npy');
    writeFileSync(x, writeNpy({ dtype: 'f32', shape: [2, 4], data: Float32Array.from([0, 1, 2, 3, -1, -2, -3, -4]) }));
    const r = await tfc(['run', denseModel, '--input', x, '--output', y]);
    expect(r.stderr).toBe('');
    const out = readNpy(readFileSync(y));
    expect(out.shape).toEqual([2, 4]);
    // Float32 sums of 1e-4 drift a little from the exact 2.0 they add up to.
    Array.from(out.data).forEach((v, k) => expect(v).toBeCloseTo([0, 1, 2, 3, -1, -2, -3, -4][k] + LAYERS * 1e-4, 2));
  }, 60_000);

  it('builds for wasm', async () => {
    const out = path.join(tmp, 'bundle');
    const r = await tfc(['build', activationModel, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(out, 'model.wasm')).length).toBeGreaterThan(0);
  }, 120_000);
});
