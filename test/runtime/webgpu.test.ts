/**
 * The runtime's backend choice and its WebGPU backend on bundles assembled
 * from a small graph both targets compile today (an input passed through and
 * a reshaped weight, so inputs, outputs, arena and weight pages are all
 * exercised): a two-target bundle predicts the interpreter's numbers on both
 * backends, 'auto' picks webgpu only when given a GPU, a webgpu-only bundle
 * loads, and missing targets, a broken model.wgsl and malformed webgpu
 * manifest fields are BundleErrors naming the problem. Suites that need an
 * adapter are skipped with the reason when there is none.
 */
import '../../compiler/ops/index.js';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleBundle, writeBundleDir, type BundleTargets } from '../../driver/bundle/index.js';
import { inspectGraphs } from '../../compiler/inspect.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { planMemory } from '../../compiler/plan/index.js';
import { compileWasm } from '../../targets/wasm/index.js';
import { compileWebGpu } from '../../targets/webgpu/index.js';
import { BundleError, DeviceLostError, loadModel, type Model, type TensorLike } from '../../runtime/index.js';
import { WebGpuExecutor } from '../../runtime/webgpu.js';
import { compareTensors } from '../helpers/tolerance.js';
import { describeGpu, gpu } from '../targets/webgpu/check.js';

const GRAPH = `graph @pass_and_weight(%x: f32[N,3]) -> (y: f32[N,3], w: f32[6]) {
  %0 = const() {ref="a", dtype="f32", shape=[2,3]} : f32[2,3]
  %1 = reshape(%0) {shape=[6]} : f32[6]
  return %x, %1
}
weights {
  "a": f32[2,3] = [1.5,-2,3,4,5,6]
}`;

const graph = parseGraph(GRAPH);
let tmp: string;
const dirs = { both: '', wasm: '', webgpu: '' };

async function writeBundle(name: string, targets: BundleTargets): Promise<string> {
  const dir = path.join(tmp, name);
  await writeBundleDir(dir, assembleBundle(graph, targets, planMemory(graph), inspectGraphs(graph, graph)).files);
  return dir;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-runtime-webgpu-'));
  const wasm = compileWasm(graph);
  const webgpu = compileWebGpu(graph);
  dirs.both = await writeBundle('both', { wasm, webgpu });
  dirs.wasm = await writeBundle('wasm', { wasm });
  dirs.webgpu = await writeBundle('webgpu', { webgpu });
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function input(batch: number): Tensor {
  return { dtype: 'f32', shape: [batch, 3], data: Float32Array.from({ length: batch * 3 }, (_, i) => i * 0.75 - 2) };
}

async function expectInterpreterOutputs(model: Model, batch: number): Promise<void> {
  const x = input(batch);
  const got = (await model.predict([{ data: x.data as Float32Array, shape: x.shape }])) as TensorLike[];
  interpret(graph, [x]).forEach((want, j) => {
    expect(compareTensors({ dtype: want.dtype, shape: [...got[j].shape], data: got[j].data }, want), `batch ${batch}, output ${j}`).toBeNull();
  });
}

async function loadError(dir: string, options: Parameters<typeof loadModel>[1]): Promise<unknown> {
  return loadModel(dir, options).then(
    (m) => {
      m.dispose();
      return undefined;
    },
    (e: unknown) => e,
  );
}

describe('bundles with a webgpu target', () => {
  it('hold model.wgsl and weights.webgpu.bin, listed in the manifest, next to the wasm files', () => {
    expect(readdirSync(dirs.both).sort()).toEqual(['index.d.ts', 'index.js', 'manifest.json', 'model.wasm', 'model.wgsl', 'package.json', 'runtime.d.ts', 'runtime.js', 'weights.bin', 'weights.webgpu.bin']);
    expect(readdirSync(dirs.webgpu).sort()).toEqual(['index.d.ts', 'index.js', 'manifest.json', 'model.wgsl', 'package.json', 'runtime.d.ts', 'runtime.js', 'weights.webgpu.bin']);
    const manifest = JSON.parse(readFileSync(path.join(dirs.both, 'manifest.json'), 'utf8')) as { targets: Record<string, { file: string; weights: { file: string } }> };
    expect(Object.keys(manifest.targets)).toEqual(['wasm', 'webgpu']);
    expect(manifest.targets.webgpu).toMatchObject({ file: 'model.wgsl', weights: { file: 'weights.webgpu.bin' } });
  });

  it("'auto' without a GPU (Node has no navigator.gpu) loads wasm", async () => {
    const model = await loadModel(dirs.both);
    expect(model.summary().backend).toBe('wasm');
    await expectInterpreterOutputs(model, 2);
    model.dispose();
  });

  it.each([
    ['webgpu on a wasm-only bundle', () => dirs.wasm, { backend: 'webgpu' as const }, /has no webgpu target \(rebuild it with `tfc build --target webgpu`/],
    ['wasm on a webgpu-only bundle', () => dirs.webgpu, { backend: 'wasm' as const }, /has no wasm target \(rebuild it with `tfc build --target wasm`/],
    ['webgpu with no WebGPU in this engine', () => dirs.both, { backend: 'webgpu' as const }, /no WebGPU is available here \(no navigator\.gpu\): pass \{ gpu \}/],
    ["'auto' on a webgpu-only bundle with no WebGPU", () => dirs.webgpu, { backend: 'auto' as const }, /has only a webgpu target and no WebGPU adapter is available here/],
  ])('%s is a BundleError saying how to fix it', async (_what, dir, options, message) => {
    const err = await loadError(dir(), options);
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('webgpu manifest checks', () => {
  let n = 0;
  function damagedCopy(edit: (m: Record<string, unknown>, dir: string) => void): string {
    const copy = path.join(tmp, `manifest-${n++}`);
    cpSync(dirs.both, copy, { recursive: true });
    const file = path.join(copy, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(m, copy);
    writeFileSync(file, JSON.stringify(m));
    return copy;
  }
  type Targets = { wasm: Record<string, unknown>; webgpu: Record<string, unknown> & { dispatches: Record<string, unknown>[] } };
  const targets = (m: Record<string, unknown>): Targets => m.targets as Targets;

  it.each([
    ['no target at all', (m: Record<string, unknown>) => (m.targets = {}), "'targets (neither wasm nor webgpu)'"],
    ['no webgpu dispatch list', (m: Record<string, unknown>) => delete (targets(m).webgpu as Record<string, unknown>).dispatches, "'targets.webgpu.dispatches'"],
    ['a dispatch of a kernel that does not exist', (m: Record<string, unknown>) => (targets(m).webgpu.dispatches[0].kernel = 7), "'targets.webgpu.dispatches[0]'"],
    ['a dispatch with a binding too few', (m: Record<string, unknown>) => (targets(m).webgpu.dispatches[0].bindings as unknown[]).pop(), "'targets.webgpu.dispatches[0].bindings'"],
    ['an empty grid', (m: Record<string, unknown>) => (targets(m).webgpu.dispatches[0].grid = []), "'targets.webgpu.dispatches[0].grid'"],
    ['an output range missing', (m: Record<string, unknown>) => (targets(m).webgpu.outputs as unknown[]).pop(), "'targets.webgpu.outputs'"],
    ['a webgpu weights file not listed', (m: Record<string, unknown>) => delete (m.files as Record<string, unknown>)['weights.webgpu.bin'], `'files["weights.webgpu.bin"]'`],
    ['the wasm weights moved back to the top level', (m: Record<string, unknown>) => {
      m.weights = targets(m).wasm.weights;
      delete targets(m).wasm.weights;
    }, "'targets.wasm.weights.file'"],
  ])('%s is refused naming the field', async (_what, edit, field) => {
    const err = await loadError(damagedCopy(edit), { backend: 'wasm' });
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toContain(`manifest.json has a missing or malformed ${field}`);
  });
});

describeGpu('the webgpu backend', () => {
  const withGpu = { gpu: gpu as GPU };

  it('a two-target bundle predicts the same numbers on both backends (the interpreter, by the tolerance rule)', async () => {
    const onWasm = await loadModel(dirs.both, { backend: 'wasm' });
    const onGpu = await loadModel(dirs.both, { backend: 'webgpu', ...withGpu });
    for (const batch of [1, 3, 17]) {
      await expectInterpreterOutputs(onWasm, batch);
      await expectInterpreterOutputs(onGpu, batch);
    }
    onWasm.dispose();
    onGpu.dispose();
  });

  it("'auto' picks webgpu when given a GPU, and the summary names the adapter", async () => {
    const model = await loadModel(dirs.both, withGpu);
    const summary = model.summary();
    expect(summary).toMatchObject({ name: 'pass_and_weight', backend: 'webgpu', dispatches: 1, codeBytes: readFileSync(path.join(dirs.both, 'model.wgsl')).length });
    expect(summary.backend === 'webgpu' && summary.adapter.length > 0).toBe(true);
    expect(summary).not.toHaveProperty('wasmFile');
    await expectInterpreterOutputs(model, 2);
    model.dispose();
    await expect(model.predict({ data: new Float32Array(3), shape: [1, 3] })).rejects.toThrow("model 'pass_and_weight' was disposed");
  });

  it('a webgpu-only bundle loads and predicts', async () => {
    const model = await loadModel(dirs.webgpu, { backend: 'webgpu', ...withGpu });
    await expectInterpreterOutputs(model, 4);
    model.dispose();
  });

  it('a model.wgsl that does not compile is a BundleError naming the kernel', async () => {
    const copy = path.join(tmp, 'bad-wgsl');
    cpSync(dirs.webgpu, copy, { recursive: true });
    const wgslFile = path.join(copy, 'model.wgsl');
    const broken = Buffer.from(readFileSync(wgslFile, 'utf8').replace(/fn main/, 'fn main(broken'));
    writeFileSync(wgslFile, broken);
    // Re-listed with its new hash: the damage is in the code, not in transport.
    const manifestFile = path.join(copy, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
    manifest.files['model.wgsl'] = { bytes: broken.length, sha256: createHash('sha256').update(broken).digest('hex') };
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const err = await loadError(copy, { backend: 'webgpu', ...withGpu });
    expect(err).toBeInstanceOf(BundleError);
    expect((err as Error).message).toMatch(/WGSL kernel 0 does not compile: \d+:\d+ /);
  });

  it('a lost device is a DeviceLostError at the next prediction', async () => {
    const artifact = compileWebGpu(graph);
    const { weightPages, ...layout } = artifact.layout;
    const target = { ...layout, file: 'model.wgsl', weights: { file: 'weights.webgpu.bin', bytes: artifact.weights.length, pages: weightPages } };
    const signature = {
      inputs: [{ name: 'x', dtype: 'f32' as const, shape: ['N' as const, 3] }],
      outputs: [
        { name: 'y', dtype: 'f32' as const, shape: ['N' as const, 3] },
        { name: 'w', dtype: 'f32' as const, shape: [6] },
      ],
    };
    const executor = await WebGpuExecutor.create(gpu as GPU, artifact.wgsl, new Uint8Array(artifact.weights), target, signature, 'test');
    executor.device.destroy();
    await executor.device.lost;
    await expect(executor.execute([new Float32Array(3)], 1)).rejects.toBeInstanceOf(DeviceLostError);
  });
});
