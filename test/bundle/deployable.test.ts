/**
 * Bundles that work wherever they are copied, on the `scale` fixture
 * (y = x * 2.5): in the 'bundled' runtime mode (the default) the bundle holds
 * a byte-for-byte copy of tfc-runtime's ES module and loads with nothing
 * installed, from a folder outside this repository, in a CommonJS project made
 * by `npm init -y` (through `import()`, and `require()` where Node has
 * require(esm)); in the 'package' mode it imports the installed tfc-runtime
 * and carries no copy. Both modes give identical bytes for identical input,
 * list every file in the manifest, and replace an earlier bundle (one from
 * before bundles carried these files too) but never a folder holding a
 * package.json the manifest does not list.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Project } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectGraphs } from '../../compiler/inspect.js';
import { planMemory } from '../../compiler/plan/index.js';
import { assembleBundle, writeBundleDir, type Bundle, type RuntimeMode } from '../../driver/bundle/index.js';
import { stableJson } from '../../driver/bundle/json.js';
import type { BundleManifest } from '../../runtime/index.js';
import { scaleArtifact, scaleGraph } from '../runtime/fixture.js';

const run = promisify(execFile);

function scaleBundle(runtime: RuntimeMode): Bundle {
  const graph = scaleGraph();
  return assembleBundle(graph, { wasm: scaleArtifact() }, planMemory(graph), inspectGraphs(graph, graph), { runtime });
}

/** y = x * 2.5 on x = [1, 2, 3, 4]. */
const EXPECTED_Y = [2.5, 5, 7.5, 10];
const X = 'new Float32Array([1, 2, 3, 4])';

const runtimePackageDir = path.dirname(createRequire(import.meta.url).resolve('tfc-runtime/package.json'));

let tmp: string;
beforeAll(() => {
  // Under the system temp folder, so no node_modules or package.json of this repository is above it.
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-deployable-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.each(['bundled', 'package'] as const)("the '%s' runtime mode", (mode) => {
  it('gives identical bytes for identical input and lists every file in the manifest', () => {
    const [a, b] = [scaleBundle(mode), scaleBundle(mode)];
    expect([...a.files.keys()].sort()).toEqual([...b.files.keys()].sort());
    for (const [name, bytes] of a.files) expect(Buffer.from(bytes).equals(Buffer.from(b.files.get(name)!)), name).toBe(true);
    const others = [...a.files.keys()].filter((n) => n !== 'manifest.json').sort();
    expect(Object.keys(a.manifest.files).sort()).toEqual(others);
    for (const name of others) {
      expect(a.manifest.files[name].sha256).toBe(createHash('sha256').update(a.files.get(name)!).digest('hex'));
    }
  });

  it('has a package.json that makes index.js an ES module wherever the folder is', () => {
    const files = scaleBundle(mode).files;
    expect(JSON.parse(Buffer.from(files.get('package.json')!).toString('utf8'))).toEqual({ type: 'module' });
  });
});

describe("the 'bundled' mode", () => {
  it('carries an exact copy of the runtime, which index.js and index.d.ts import', () => {
    const files = scaleBundle('bundled').files;
    expect(Buffer.from(files.get('runtime.js')!).equals(readFileSync(path.join(runtimePackageDir, 'dist/index.mjs')))).toBe(true);
    const js = Buffer.from(files.get('index.js')!).toString('utf8');
    expect(js).toContain("import { loadModel as loadBundle } from './runtime.js';");
    expect(js).not.toContain('tfc-runtime\'');
    expect(Buffer.from(files.get('index.d.ts')!).toString('utf8')).toContain("import type { LoadOptions, Model } from './runtime.js';");
  });

  it('is the default', () => {
    const graph = scaleGraph();
    const byDefault = assembleBundle(graph, { wasm: scaleArtifact() }, planMemory(graph), inspectGraphs(graph, graph));
    expect(byDefault.manifest).toEqual(scaleBundle('bundled').manifest);
  });

  it('loads from a folder outside any project, and its errors are the runtime classes it re-exports', async () => {
    const dir = path.join(tmp, 'loose', 'model');
    await writeBundleDir(dir, scaleBundle('bundled').files);
    const mod = (await import(pathToFileURL(path.join(dir, 'index.js')).href)) as {
      loadModel: (o?: object) => Promise<{ predict: (x: unknown) => Promise<{ y: { data: Float32Array } }> }>;
      InputError: new () => Error;
    };
    const model = await mod.loadModel();
    const { y } = await model.predict({ x: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] } });
    expect(Array.from(y.data)).toEqual(EXPECTED_Y);
    const wrong = await model.predict({ x: { data: new Float32Array(5), shape: [1, 5] } }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(mod.InputError);
  });

  it('types the model with the runtime types it carries: nothing installed, declaration files checked too', async () => {
    const app = path.join(tmp, 'typed');
    await writeBundleDir(path.join(app, 'model'), scaleBundle('bundled').files);
    const project = new Project({
      // skipLibCheck off: index.d.ts and runtime.d.ts must type-check on their own, with no @types or @webgpu/types.
      compilerOptions: { module: 199 /* NodeNext */, moduleResolution: 99 /* NodeNext */, target: 9 /* ES2022 */, strict: true, noEmit: true, types: [], skipDefaultLibCheck: true },
    });
    const use = (name: string, body: string): void => {
      project.createSourceFile(path.join(app, `${name}.mts`), `import { InputError, loadModel } from './model/index.js';\n${body}\nexport {};\n`);
    };
    use('good', [
      "const model = await loadModel({ backend: 'wasm', relaxedSimd: false });",
      'const { y } = await model.predict({ x: { data: new Float32Array(4), shape: [1, 4] } });',
      'const width: 4 = y.shape[1];',
      "const backend: 'wasm' | 'webgpu' = model.summary().backend;",
      "const failure: Error = new InputError('no');",
    ].join('\n'));
    // Wrong uses of what comes from runtime.d.ts (load options, the summary) are errors, so those types are really there.
    use('bad_option', "await loadModel({ backend: 'cuda' });");
    use('bad_summary', 'const m = await loadModel();\nm.summary().nothing;');
    const errorsIn = new Map<string, string[]>();
    for (const d of project.getPreEmitDiagnostics()) {
      const file = d.getSourceFile()?.getBaseName() ?? '(global)';
      errorsIn.set(file, [...(errorsIn.get(file) ?? []), String(d.getMessageText())]);
    }
    expect([...errorsIn.keys()].sort()).toEqual(['bad_option.mts', 'bad_summary.mts']);
  }, 30_000);
});

describe('a CommonJS project made by `npm init -y`', () => {
  /** What the project's CommonJS script prints: the prediction through import(), and through require() where Node has require(esm). */
  const SCRIPT = `
(async () => {
  const viaImport = await import('./model/index.js');
  const predict = async (m) => Array.from((await (await m.loadModel()).predict({ x: { data: ${X}, shape: [1, 4] } })).y.data);
  const out = { import: await predict(viaImport) };
  if (process.features.require_module) out.require = await predict(require('./model/index.js'));
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

  /** A fresh `npm init -y` project with the bundle in ./model and the script as index.js; `edit` changes its package.json. */
  async function project(name: string, edit: (pkg: Record<string, unknown>) => void): Promise<string> {
    const dir = path.join(tmp, name);
    mkdirSync(dir);
    await run('npm', ['init', '-y'], { cwd: dir });
    const pkgFile = path.join(dir, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
    edit(pkg);
    writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    writeFileSync(path.join(dir, 'index.js'), SCRIPT);
    await writeBundleDir(path.join(dir, 'model'), scaleBundle('bundled').files);
    return dir;
  }

  const expected = process.features.require_module ? { import: EXPECTED_Y, require: EXPECTED_Y } : { import: EXPECTED_Y };
  if (!process.features.require_module) console.warn(`require() of the bundle not checked: Node ${process.version} has no require(esm)`);

  it.each([
    ['as npm writes it', (pkg: Record<string, unknown>) => expect(pkg.type ?? 'commonjs').toBe('commonjs')],
    ['without a "type" field (older npm)', (pkg: Record<string, unknown>) => delete pkg.type],
  ])('loads the bundle and predicts from a CommonJS script: package.json %s', async (name, edit) => {
    const dir = await project(`cjs-${name.split(' ')[0]}`, edit);
    const { stdout } = await run(process.execPath, ['index.js'], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual(expected);
  }, 30_000);
});

describe("the 'package' mode", () => {
  it('carries no runtime and imports the tfc-runtime an application installed', async () => {
    const bundle = scaleBundle('package');
    expect([...bundle.files.keys()].filter((n) => n.startsWith('runtime.'))).toEqual([]);
    expect(Buffer.from(bundle.files.get('index.js')!).toString('utf8')).toContain("import { loadModel as loadBundle } from 'tfc-runtime';");
    expect(Buffer.from(bundle.files.get('index.d.ts')!).toString('utf8')).toContain("import type { LoadOptions, Model } from 'tfc-runtime';");
    const app = path.join(tmp, 'app-with-runtime');
    // As `npm install tfc-runtime` leaves it (the package folder itself, linked).
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    symlinkSync(runtimePackageDir, path.join(app, 'node_modules', 'tfc-runtime'), 'dir');
    await writeBundleDir(path.join(app, 'model'), bundle.files);
    const mod = (await import(pathToFileURL(path.join(app, 'model/index.js')).href)) as {
      loadModel: () => Promise<{ predict: (x: unknown) => Promise<{ y: { data: Float32Array } }> }>;
    };
    const { y } = await (await mod.loadModel()).predict({ x: { data: new Float32Array([1, 2, 3, 4]), shape: [1, 4] } });
    expect(Array.from(y.data)).toEqual(EXPECTED_Y);
  });
});

describe('replacing a bundle folder', () => {
  it('replaces a bundle written before bundles carried package.json and runtime.js', async () => {
    const dir = path.join(tmp, 'earlier');
    const files = new Map(scaleBundle('bundled').files);
    files.delete('package.json');
    files.delete('runtime.js');
    const manifest = JSON.parse(Buffer.from(files.get('manifest.json')!).toString('utf8')) as BundleManifest;
    delete manifest.files['package.json'];
    delete manifest.files['runtime.js'];
    files.set('manifest.json', new TextEncoder().encode(stableJson(manifest)));
    await writeBundleDir(dir, files);
    await writeBundleDir(dir, scaleBundle('bundled').files);
    expect(readdirSync(dir)).toContain('runtime.js');
  });

  it('refuses a folder whose package.json the manifest does not list, and leaves it as it was', async () => {
    const dir = path.join(tmp, 'project-with-manifest');
    await writeBundleDir(dir, scaleBundle('package').files);
    // A package.json of the user's own, next to a manifest that does not list it.
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    delete manifest.files['package.json'];
    writeFileSync(path.join(dir, 'manifest.json'), stableJson(manifest));
    writeFileSync(path.join(dir, 'package.json'), '{ "name": "mine" }');
    await expect(writeBundleDir(dir, scaleBundle('bundled').files)).rejects.toThrow(/holds 'package\.json', which is not part of a tfc bundle/);
    expect(readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe('{ "name": "mine" }');
  });
});
