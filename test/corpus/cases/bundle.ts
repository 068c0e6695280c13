/** Bundle cases (`tfc predict`, `tfc inspect`, `tfc build --out`): damaged, edited and impostor bundles. */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeNpy } from '../../../compiler/io/npy.js';
import { copyBundle } from '../case.js';
import type { CliCase } from '../case.js';
import { tinyInput, type Json } from '../tiny_model.js';
import { both, tfjs, write, type Setup } from './common.js';

export const PREDICT = ['predict', 'bundle', '--input', 'x.npy', '--output', 'y.npy'];

type Manifest = Json & { files: Record<string, { bytes: number; sha256: string }>; targets: { wasm: Json & { weights: Json } } };

/** A copy of the fixture bundle at dir/bundle, edited, plus a valid x.npy. */
export function bundle(edit: (bundleDir: string, manifest: Manifest, caseDir: string) => void = () => undefined): Setup {
  return (dir, fx) => {
    const b = copyBundle(fx, dir);
    const file = path.join(b, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    edit(b, manifest, dir);
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    write(dir, 'x.npy', tinyInput());
  };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Points the wasm target's weights at `name` (listed in files with the real weights' size and hash). */
function weightsAt(name: string, copyTo?: (caseDir: string) => string) {
  return (b: string, m: Manifest, dir: string): void => {
    const bytes = readFileSync(path.join(b, 'weights.bin'));
    if (copyTo) writeFileSync(copyTo(dir), bytes);
    m.files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
    m.targets.wasm.weights.file = name;
  };
}

const PWA_MANIFEST = JSON.stringify({ name: 'My app', start_url: '/', display: 'standalone' });

export const bundleCases: CliCase[] = [
  { name: 'bundle folder does not exist', setup: (dir) => write(dir, 'x.npy', tinyInput()), argv: PREDICT, expect: /bundle/ },
  { name: 'bundle without manifest.json', setup: both(bundle(), (dir) => rmSync(path.join(dir, 'bundle', 'manifest.json'))), argv: PREDICT, expect: /manifest\.json/ },
  {
    name: 'bundle manifest is not JSON',
    setup: both(bundle(), (dir) => write(dir, 'bundle/manifest.json', '{"format": "tfc-bundle", ')),
    argv: PREDICT,
    expect: /manifest\.json is not valid JSON/,
  },
  { name: 'bundle manifest of another format', setup: bundle((_b, m) => (m.format = 'web-app')), argv: PREDICT, expect: /not a tfc bundle manifest/ },
  { name: 'bundle manifest of format version 99', setup: bundle((_b, m) => (m.formatVersion = 99)), argv: PREDICT, expect: /unknown bundle format version 99/ },
  { name: 'bundle manifest without targets', setup: bundle((_b, m) => delete (m as Json).targets), argv: PREDICT, expect: /targets/ },
  { name: 'bundle missing weights.bin', setup: bundle((b) => rmSync(path.join(b, 'weights.bin'))), argv: PREDICT, expect: /weights\.bin.*missing/ },
  { name: 'bundle with truncated weights.bin', setup: bundle((b) => truncateSync(path.join(b, 'weights.bin'), 10)), argv: PREDICT, expect: /weights\.bin' is truncated/ },
  { name: 'bundle with weights.bin grown', setup: bundle((b) => appendFileSync(path.join(b, 'weights.bin'), 'xx')), argv: PREDICT, expect: /weights\.bin.*(wrong size|258 bytes)/ },
  {
    name: 'bundle with a flipped byte in model.wasm',
    setup: bundle((b) => {
      for (const name of ['model.wasm', 'model.relaxed.wasm']) {
        const bytes = readFileSync(path.join(b, name));
        bytes[100] ^= 1;
        writeFileSync(path.join(b, name), bytes);
      }
    }),
    argv: PREDICT,
    expect: /model(\.relaxed)?\.wasm' is corrupt/,
  },
  {
    name: 'bundle manifest with an edited input shape',
    setup: both(
      bundle((_b, m) => ((m.inputs as Json[])[0].shape = ['N', 2, 2])),
      (dir) => write(dir, 'x.npy', writeNpy({ dtype: 'f32', shape: [2, 2, 2], data: new Float32Array(8).fill(0.5) })),
    ),
    argv: PREDICT,
    expect: /manifest/,
  },
  {
    name: 'bundle manifest with an absurd output shape',
    setup: bundle((_b, m) => ((m.outputs as Json[])[0].shape = ['N', 1e12, 1e12])),
    argv: PREDICT,
    expect: /manifest|limit|shape/,
  },
  {
    name: 'bundle manifest naming ../ for the weights',
    setup: bundle(weightsAt('../weights.bin', (dir) => path.join(dir, 'weights.bin'))),
    argv: PREDICT,
    expect: /\.\.\/weights\.bin|outside/,
  },
  {
    name: 'bundle manifest naming an absolute path for the weights',
    setup: bundle(weightsAt('/etc/hostname')),
    argv: PREDICT,
    expect: /\/etc\/hostname|outside/,
  },
  { name: 'bundle manifest naming /dev/zero for the weights', setup: bundle(weightsAt('/dev/zero')), argv: PREDICT, expect: /\/dev\/zero|outside|regular file/ },
  { name: 'inspect of a bundle with truncated weights', setup: bundle((b) => truncateSync(path.join(b, 'weights.bin'), 10)), argv: ['inspect', 'bundle'], expect: /weights\.bin/ },
  { name: 'predict --backend webgpu on a wasm-only bundle', setup: bundle(), argv: [...PREDICT, '--backend', 'webgpu'], expect: /no webgpu target/ },
  { name: 'predict --backend foo', setup: bundle(), argv: [...PREDICT, '--backend', 'foo'], expect: /unknown --backend 'foo'/ },
  { name: 'predict with an input of the wrong shape', setup: both(bundle(), (dir) => write(dir, 'x.npy', writeNpy({ dtype: 'f32', shape: [2, 5], data: new Float32Array(10) }))), argv: PREDICT, expect: /input 0 .*shape/ },
  {
    name: 'predict with a batch of 0',
    setup: both(bundle(), (dir) => write(dir, 'x.npy', writeNpy({ dtype: 'f32', shape: [0, 4], data: new Float32Array(0) }))),
    argv: PREDICT,
    expect: /batch|0/,
  },
  { name: 'predict with two inputs for a one-input model', setup: bundle(), argv: [...PREDICT, '--input', 'x.npy'], expect: /input/ },
  { name: 'predict with no --output', setup: bundle(), argv: ['predict', 'bundle', '--input', 'x.npy'], expect: /--output/ },
  {
    name: 'build --out onto a web app folder holding a manifest.json',
    setup: both(tfjs(), (dir) => {
      write(dir, 'web/manifest.json', PWA_MANIFEST);
      write(dir, 'web/index.html', '<!doctype html><title>app</title>');
    }),
    argv: ['build', 'model.json', '--out', 'web'],
    expect: /web/,
  },
  {
    name: 'build --out onto a bundle holding a file it does not list',
    setup: both(tfjs(), bundle(), (dir) => write(dir, 'bundle/notes.txt', 'my notes')),
    argv: ['build', 'model.json', '--out', 'bundle'],
    expect: /bundle/,
  },
  { name: 'build --out onto a regular file', setup: both(tfjs(), (dir) => write(dir, 'out', 'a file')), argv: ['build', 'model.json', '--out', 'out'], expect: /out/ },
];
