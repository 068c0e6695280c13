/**
 * A bundle's compiled code carries the digest of the layout it was compiled
 * for, so a manifest.json edited after the build (manifest.json is not hashed:
 * editing it needs no sha256 fix-up) is refused instead of computing garbage:
 * on the wasm target (custom section of model.wasm) and the webgpu target
 * (first line of model.wgsl), from the API and from `tfc predict`.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, loadModel, type BundleManifest } from '../../runtime/index.js';
import { tfc } from '../cli/tfc.js';
import { kerasCaseDir } from '../helpers/conformance.js';

let tmp: string;
let built: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tfc-digest-'));
  built = path.join(tmp, 'built');
  const build = await tfc(['build', path.join(kerasCaseDir('dense_mlp'), 'model.json'), '--target', 'wasm,webgpu', '--out', built]);
  expect(build.stderr).toBe('');
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let copies = 0;
/** A copy of the built bundle with its manifest edited by `edit`. */
function edited(edit: (m: BundleManifest) => void): string {
  const dir = path.join(tmp, `copy${copies++}`);
  cpSync(built, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BundleManifest;
  edit(manifest);
  writeFileSync(file, JSON.stringify(manifest));
  return dir;
}

// A fake WebGPU entry point: the digest is checked before the GPU is asked for anything.
const noGpu = {} as GPU;

describe('an edited manifest.json', () => {
  it('still loads when nothing layout-relevant changed', async () => {
    const dir = edited((m) => (m.name = 'renamed'));
    const model = await loadModel(dir, { backend: 'wasm' });
    expect(model.name).toBe('renamed');
  });

  it('is refused by the wasm backend when an input shape changed', async () => {
    const dir = edited((m) => (m.inputs[0].shape = ['N', 8]));
    const error = await loadModel(dir, { backend: 'wasm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as Error).message).toMatch(/manifest\.json does not match model(\.relaxed)?\.wasm/);
  });

  it('is refused by the wasm backend when an output offset changed', async () => {
    const dir = edited((m) => (m.targets.wasm!.outputOffsets[0].base += 256));
    await expect(loadModel(dir, { backend: 'wasm', relaxedSimd: false })).rejects.toThrow(/manifest\.json does not match model\.wasm/);
  });

  it('is refused by the webgpu backend when a dispatch changed', async () => {
    const dir = edited((m) => (m.targets.webgpu!.dispatches[0].grid[0].per += 1));
    await expect(loadModel(dir, { backend: 'webgpu', gpu: noGpu })).rejects.toThrow(/manifest\.json does not match model\.wgsl/);
  });

  it('is one tfc: error: line from tfc predict', async () => {
    const dir = edited((m) => (m.outputs[0].shape = ['N', 5]));
    const x = path.join(kerasCaseDir('dense_mlp'), 'input_0.npy');
    const r = await tfc(['predict', dir, '--backend', 'wasm', '--input', x, '--output', path.join(tmp, 'y.npy')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tfc: error: bundle .*manifest\.json does not match model(\.relaxed)?\.wasm[^\n]*\n$/);
  }, 30_000);
});

describe('the built files', () => {
  it('carry the digest: a custom section in model.wasm, the first line of model.wgsl', () => {
    const wasm = new WebAssembly.Module(readFileSync(path.join(built, 'model.wasm')));
    const [section] = WebAssembly.Module.customSections(wasm, 'tfc.layout');
    const digest = new TextDecoder().decode(section);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const relaxed = readFileSync(path.join(built, 'model.relaxed.wasm'));
    expect(Buffer.from(relaxed).includes(Buffer.from(digest))).toBe(true);
    expect(readFileSync(path.join(built, 'model.wgsl'), 'utf8').split('\n')[0]).toMatch(/^\/\/ tfc:layout [0-9a-f]{64}$/);
  });
});
