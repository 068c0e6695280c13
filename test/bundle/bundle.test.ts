/**
 * The bundle writer on the hand-built `scale` fixture (test/runtime/fixture.ts):
 * identical input gives identical bytes, the manifest lists every file with
 * its true size and SHA-256, writes replace a bundle but never a foreign
 * folder, and the generated loader loads (with the runtime copied beside it,
 * nothing installed) and is typed for this model.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Project } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundleDir } from '../../driver/bundle/index.js';
import type { BundleManifest } from '../../runtime/index.js';
import { scaleBundle, writeScaleBundle } from '../runtime/bundle_dir.js';

let tmp: string;
let dir: string;
beforeAll(async () => {
  ({ tmp, dir } = await writeScaleBundle('tfc-bundle-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('bundle files', () => {
  it('are byte-identical for identical input', async () => {
    const again = path.join(tmp, 'again');
    await writeBundleDir(again, scaleBundle().files);
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['index.d.ts', 'index.js', 'manifest.json', 'model.wasm', 'package.json', 'runtime.d.ts', 'runtime.js', 'weights.bin']);
    expect(readdirSync(again).sort()).toEqual(names);
    for (const name of names) expect(readFileSync(path.join(again, name)).equals(readFileSync(path.join(dir, name))), name).toBe(true);
  });

  it('are all listed in the manifest with their size and SHA-256', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    const others = readdirSync(dir).filter((n) => n !== 'manifest.json').sort();
    expect(Object.keys(manifest.files).sort()).toEqual(others);
    for (const name of others) {
      const bytes = readFileSync(path.join(dir, name));
      expect(manifest.files[name]).toEqual({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    expect(manifest).toMatchObject({
      format: 'tfc-bundle',
      formatVersion: 3,
      name: 'scale',
      targets: { wasm: { file: 'model.wasm', weights: { file: 'weights.bin', bytes: 4 } } },
      // The graph's own plan: y = x * w is written in place of x, so one 256-aligned f32[N,4] buffer.
      memoryPlan: { alignment: 256, arenaBytes: { base: 0, perBatch: 256 }, peakBytesAtBatch1: 256 },
      kernels: { count: 1, ops: { mul: 1 } },
    });
  });

  it('has sorted manifest keys and no timestamps', () => {
    const text = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    const topKeys = Object.keys(JSON.parse(text) as object);
    expect(topKeys).toEqual([...topKeys].sort());
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d/);
  });
});

describe('writing a bundle folder', () => {
  it('replaces an existing bundle and leaves no temp folders', async () => {
    await writeBundleDir(dir, scaleBundle().files);
    expect(readdirSync(tmp).filter((n) => n.includes('.tfc-'))).toEqual([]);
    expect(existsSync(path.join(dir, 'manifest.json'))).toBe(true);
  });

  it('refuses to overwrite a non-empty folder that is not a bundle', async () => {
    const foreign = path.join(tmp, 'foreign');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'keep me');
    await expect(writeBundleDir(foreign, scaleBundle().files)).rejects.toThrow(/holds 'notes\.txt' and no manifest\.json, so it is not a tfc bundle/);
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });
});

describe('the typed loader', () => {
  /** An application folder with nothing installed; the bundle, which carries its runtime, sits in ./model. */
  let app: string;
  beforeAll(async () => {
    app = path.join(tmp, 'app');
    await writeBundleDir(path.join(app, 'model'), scaleBundle().files);
  });

  it('index.d.ts names the inputs and outputs with their shapes', () => {
    const dts = readFileSync(path.join(app, 'model/index.d.ts'), 'utf8');
    expect(dts).toContain("import type { LoadOptions, Model } from './runtime.js';");
    expect(dts).toMatch(/"x": \{ data: Float32Array; shape: readonly \[number, 4\] \}/);
    expect(dts).toMatch(/"y": \{ data: Float32Array; shape: \[number, 4\] \}/);
    expect(dts).toContain('export declare function loadModel(options?: LoadOptions): Promise<CompiledModel>;');
  });

  it('index.js loads the bundle it sits in', async () => {
    const mod = (await import(pathToFileURL(path.join(app, 'model/index.js')).href)) as {
      loadModel: () => Promise<{ predict: (x: unknown) => Promise<{ y: { data: Float32Array } }>; dispose: () => void }>;
    };
    const model = await mod.loadModel();
    const out = await model.predict({ x: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] } });
    expect(Array.from(out.y.data)).toEqual([2.5, 5, 7.5, 10]);
    model.dispose();
  });

  it('index.d.ts types predict: right names compile, wrong ones do not', () => {
    const project = new Project({
      compilerOptions: { module: 199 /* NodeNext */, moduleResolution: 99 /* NodeNext */, target: 9 /* ES2022 */, strict: true, noEmit: true, skipLibCheck: true },
    });
    const use = (name: string, body: string): string[] => {
      const file = project.createSourceFile(
        path.join(app, `${name}.mts`),
        `import { loadModel } from './model/index.js';\nconst model = await loadModel();\n${body}\nexport {};\n`,
        { overwrite: true },
      );
      return file.getPreEmitDiagnostics().map((d) => String(d.getMessageText()));
    };
    expect(use('good', "const { y } = await model.predict({ x: { data: new Float32Array(4), shape: [1, 4] } });\nconst n: number = y.shape[1];")).toEqual([]);
    expect(use('bad_name', 'await model.predict({ z: { data: new Float32Array(4), shape: [1, 4] } });')).not.toEqual([]);
    expect(use('bad_dtype', 'await model.predict({ x: { data: new Int32Array(4), shape: [1, 4] } });')).not.toEqual([]);
    expect(use('bad_shape', 'await model.predict({ x: { data: new Float32Array(5), shape: [1, 5] } });')).not.toEqual([]);
  });
});
