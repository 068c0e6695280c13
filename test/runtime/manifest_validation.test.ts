/**
 * Issue #9 defect 6 (manifest part): parseManifest refuses a manifest whose
 * numbers could make the runtime allocate or index absurdly — before anything
 * is allocated — with one line naming the field path and, where a limit was
 * crossed, the limit. Each edit is applied to a real manifest (both targets).
 */
import '../../compiler/ops/index.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleBundle, writeBundleDir } from '../../driver/bundle/index.js';
import { inspectGraphs } from '../../compiler/inspect.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import { planMemory } from '../../compiler/plan/index.js';
import { compileWasm } from '../../targets/wasm/index.js';
import { compileWebGpu } from '../../targets/webgpu/index.js';
import { BundleError, loadModel } from '../../runtime/index.js';
import { parseManifest } from '../../runtime/manifest.js';

const graph = parseGraph(`graph @scaled(%x: f32[N,3]) -> (y: f32[N,3]) {
  %0 = const() {ref="w", dtype="f32", shape=[3]} : f32[3]
  %1 = mul(%x, %0) : f32[N,3]
  return %1
}
weights {
  "w": f32[3] = [1.5,-2,3]
}`);

/** A manifest edited freely, as a hostile file would be. */
type Json = any;

let tmp: string;
let dir: string;
let text: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-manifest-validation-'));
  dir = path.join(tmp, 'bundle');
  await writeBundleDir(dir, assembleBundle(graph, { wasm: compileWasm(graph), webgpu: compileWebGpu(graph) }, planMemory(graph), inspectGraphs(graph, graph)).files);
  text = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function parseEdited(change: (m: Json) => void): () => unknown {
  const m = JSON.parse(text) as Json;
  change(m);
  return () => parseManifest(JSON.stringify(m), 'bundle b');
}

describe('parseManifest limits and field paths', () => {
  it('accepts the manifest the build wrote', () => {
    expect(parseManifest(text, 'bundle b').outputs[0].shape).toEqual(['N', 3]);
  });

  it.each<[string, (m: Json) => void, RegExp]>([
    ['a dimension of 1e300', (m) => (m.outputs[0].shape[1] = 1e300), /^bundle b: manifest\.json has a missing or malformed 'outputs\[0\]\.shape\[1\]' \(is 1e\+300\)$/],
    ['a dimension of 0', (m) => (m.inputs[0].shape[1] = 0), /'inputs\[0\]\.shape\[1\]' \(is 0\)/],
    ['a negative dimension', (m) => (m.inputs[0].shape[1] = -3), /'inputs\[0\]\.shape\[1\]' \(is -3\)/],
    ['a fractional dimension', (m) => (m.outputs[0].shape[1] = 1.5), /'outputs\[0\]\.shape\[1\]' \(is 1\.5\)/],
    ['a dimension that is a string', (m) => (m.outputs[0].shape[1] = '3'), /'outputs\[0\]\.shape\[1\]' \(is "3"\)/],
    [
      'an output of 10^24 elements',
      (m) => (m.outputs[0].shape = ['N', 1e12, 1e12]),
      /'outputs\[0\]\.shape' \(\[N,1000000000000,1000000000000\] has 1e\+24 elements per batch item, over the limit of 1073741824 \(MAX_TENSOR_ELEMENTS\)\)/,
    ],
    ['a rank of 40', (m) => (m.inputs[0].shape = ['N', ...new Array<number>(39).fill(1)]), /'inputs\[0\]\.shape' \(rank 40 is over the limit of 32 \(MAX_RANK\)\)/],
    ['an unknown dtype', (m) => (m.outputs[0].dtype = 'f64'), /'outputs\[0\]\.dtype' \(unknown dtype "f64"\)/],
    ['a name that is not a string', (m) => (m.inputs[0].name = 7), /'inputs\[0\]\.name'/],
    ['an offset of 1e300', (m) => (m.targets.wasm.outputOffsets[0].base = 1e300), /'targets\.wasm\.outputOffsets\[0\]'$/],
    ['a negative per-batch size', (m) => (m.targets.wasm.arenaBytes.perBatch = -64), /'targets\.wasm\.arenaBytes'/],
    ['an offset that is not finite (null in JSON)', (m) => (m.targets.wasm.inputOffsets[0].base = null), /'targets\.wasm\.inputOffsets\[0\]'/],
    ['an arena inside the weights', (m) => (m.targets.wasm.arenaOffset = m.targets.wasm.weightsOffset), /'targets\.wasm\.arenaOffset' \(the arena must start after the weights\)/],
    ['weights bytes unlike the file entry', (m) => (m.targets.wasm.weights.bytes += 4), /'targets\.wasm\.weights\.bytes' \(\d+, but files\["weights\.bin"\]\.bytes is \d+\)/],
    ['a file entry without a size', (m) => delete m.files['model.wgsl'].bytes, /'files\["model\.wgsl"\]'/],
    ['a grid axis of 0 per workgroup', (m) => (m.targets.webgpu.dispatches[0].grid[0].per = 0), /'targets\.webgpu\.dispatches\[0\]\.grid\[0\]'/],
    ['a grid of 1e300 workgroups', (m) => (m.targets.webgpu.dispatches[0].grid[0].perBatch = 1e300), /'targets\.webgpu\.dispatches\[0\]\.grid\[0\]'/],
    ['a wasm target that is null', (m) => (m.targets.wasm = null), /'targets\.wasm'$/],
    ['a webgpu target that is null', (m) => (m.targets.webgpu = null), /'targets\.webgpu'$/],
    ['an index table size of 0', (m) => (m.inputs[0].indexRows = 0), /'inputs\[0\]\.indexRows'$/],
    ['an output offset list of the wrong length', (m) => m.targets.wasm.outputOffsets.push({ base: 0, perBatch: 0 }), /'targets\.wasm\.outputOffsets' \(2 entries for 1\)/],
  ])('refuses %s', (_what, change, message) => {
    const parse = parseEdited(change);
    expect(parse).toThrow(BundleError);
    expect(parse).toThrow(message);
  });

  it('refuses an entry nested deeper than JSON.stringify can print, naming it', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const edited = text.replace(/"outputOffsets": \[\s*\{[^}]*\}/, `"outputOffsets": [${deep}`);
    expect(edited).not.toBe(text);
    expect(() => parseManifest(edited, 'bundle b')).toThrow(/^bundle b: manifest\.json has a missing or malformed 'targets\.wasm\.outputOffsets\[0\]'$/);
  });

  it('loadModel refuses an unknown field nested too deep to digest with a BundleError', async () => {
    const copy = path.join(tmp, 'deep');
    cpSync(dir, copy, { recursive: true });
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    writeFileSync(path.join(copy, 'manifest.json'), text.replace('"targets": {', `"targets": {"junk": ${deep}, `).replace('"wasm": {', `"wasm": {"junk": ${deep}, `));
    const err = await loadModel(copy, { backend: 'wasm' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(/manifest\.json cannot be digested \(Maximum call stack size exceeded\)/);
  });

  it('loadModel refuses an absurd output shape with a BundleError, not a failed allocation', async () => {
    const copy = path.join(tmp, 'absurd');
    cpSync(dir, copy, { recursive: true });
    const m = JSON.parse(text) as Json;
    m.outputs[0].shape = ['N', 1e12, 1e12];
    writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(m));
    const err = await loadModel(copy, { backend: 'wasm' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(/outputs\[0\]\.shape.*MAX_TENSOR_ELEMENTS/);
  });
});
