/**
 * `tfc inspect` of a bundle verifies it as the runtime does, the layout
 * digest included: a manifest.json edited after the build (every file's
 * SHA-256 still right) is a damaged bundle — exit 1, one error line — on the
 * wasm and the webgpu target; an unedited bundle still inspects.
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
import type { BundleManifest } from '../../runtime/index.js';
import { compileWasm } from '../../targets/wasm/index.js';
import { compileWebGpu } from '../../targets/webgpu/index.js';
import { tfc } from './tfc.js';

const graph = parseGraph(`graph @scaled(%x: f32[N,3]) -> (y: f32[N,3]) {
  %0 = const() {ref="w", dtype="f32", shape=[3]} : f32[3]
  %1 = mul(%x, %0) : f32[N,3]
  return %1
}
weights {
  "w": f32[3] = [1.5,-2,3]
}`);

let tmp: string;
let original: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-inspect-layout-'));
  original = path.join(tmp, 'bundle');
  const bundle = assembleBundle(graph, { wasm: compileWasm(graph), webgpu: compileWebGpu(graph) }, planMemory(graph), inspectGraphs(graph, graph));
  await writeBundleDir(original, bundle.files);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let copies = 0;
function edited(change: (m: BundleManifest) => void): string {
  const dir = path.join(tmp, `edited-${copies++}`);
  cpSync(original, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BundleManifest;
  change(manifest);
  writeFileSync(file, JSON.stringify(manifest));
  return dir;
}

describe('tfc inspect of a bundle with an edited manifest', () => {
  it.each<[string, (m: BundleManifest) => void, RegExp]>([
    ['a wasm output offset', (m) => (m.targets.wasm!.outputOffsets[0].base += 16), /manifest\.json does not match model\.wasm/],
    ['a webgpu dispatch grid', (m) => (m.targets.webgpu!.dispatches[0].grid[0].per += 1), /manifest\.json does not match model\.wgsl/],
    ['an input shape', (m) => (m.inputs[0].shape = ['N', 2]), /manifest\.json does not match model\.wasm/],
  ])('is damage: %s', async (_what, change, message) => {
    const r = await tfc(['inspect', edited(change)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tfc: error: bundle .*${message.source}[^\\n]*the manifest was edited or belongs to another build\\n$`));
    expect(r.stdout).toBe('');
  });

  it('an unedited bundle still inspects', async () => {
    const r = await tfc(['inspect', original]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^model scaled \(bundle format 3, targets: wasm, webgpu\)/);
  });
});
