/**
 * The built package tfc-runtime as a user gets it: its dist files copied into
 * node_modules/tfc-runtime of a temporary project outside the repository,
 * where a CommonJS script (`require`) and an ES module (`import`), each in a
 * child `node`, load a bundle built by the `tfc` CLI from its folder and from
 * a map of its files under hashed names, and predict TF.js' numbers; its one
 * .d.ts type-checks there with no @webgpu/types; and `npm pack` holds only
 * what it should. Needs `npm run build` first (npm test does).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../compiler/io/npy.js';
import { repoRoot, tfc } from '../cli/tfc.js';
import { compareTensors } from '../helpers/tolerance.js';

const run = promisify(execFile);
const packageDir = path.join(repoRoot, 'packages/runtime');
const DIST_FILES = ['dist/index.mjs', 'dist/index.cjs', 'dist/index.browser.mjs', 'dist/index.d.ts'];
const caseDir = path.join(repoRoot, 'test/conformance/keras/dense_mlp');
const readCaseNpy = (name: string) => readNpy(new Uint8Array(readFileSync(path.join(caseDir, name))), name);

for (const file of DIST_FILES) {
  if (!existsSync(path.join(packageDir, file))) throw new Error(`packages/runtime/${file} is not built: run \`npm run build\` first (npm test does)`);
}

// Loads the bundle from its folder, from a map of its files under hashed names (paths, manifest.json as a file: URL),
// and from a map that lacks weights.bin; prints what each gave as JSON.
const SCRIPT_BODY = `
const x = JSON.parse(readFileSync('x.json', 'utf8'));
const map = JSON.parse(readFileSync('files.json', 'utf8'));
const input = { data: Float32Array.from(x.data), shape: x.shape };
const outcome = async (location) => {
  try {
    const model = await loadModel(location, { backend: 'wasm' });
    const y = await model.predict(input);
    const summary = model.summary();
    model.dispose();
    return { shape: y.shape, data: Array.from(y.data), backend: summary.backend, wasmFile: summary.wasmFile };
  } catch (e) {
    return { error: e.name, message: e.message };
  }
};
const files = { ...map, 'manifest.json': pathToFileURL(map['manifest.json']) };
const { 'weights.bin': _, ...lacking } = map;
const report = { folder: await outcome('./bundle'), map: await outcome({ files }), lacking: await outcome({ files: lacking }) };
process.stdout.write(JSON.stringify(report));
`;
const CJS_SCRIPT = `const { loadModel } = require('tfc-runtime');
const { readFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
(async () => {${SCRIPT_BODY}})();
`;
const ESM_SCRIPT = `import { loadModel } from 'tfc-runtime';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
${SCRIPT_BODY}`;

// A consumer with none of the repository's types: strict, every .d.ts checked, no @types or @webgpu/types.
const CONSUMER_TSCONFIG = {
  compilerOptions: { target: 'ES2020', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: [], noEmit: true },
  files: ['consumer.mts', 'consumer.cts'],
};
const CONSUMER_MTS = `import { loadModel, BundleError, type BundleFiles, type LoadOptions, type TensorLike } from 'tfc-runtime';
const files: BundleFiles = { files: { 'manifest.json': new URL('https://example.com/m-1a2b.json'), 'model.wasm': '/assets/model-3c4d.wasm' } };
const options: LoadOptions = { backend: 'auto', gpu: { requestAdapter: async () => null }, relaxedSimd: false };
const model = await loadModel(files, options);
const y = (await model.predict({ data: new Float32Array(16), shape: [1, 16] })) as TensorLike;
const first: number = y.data[0];
const summary = model.summary();
const where: string = summary.backend === 'webgpu' ? summary.adapter : summary.wasmFile;
model.dispose();
export const seen = [first, where, new BundleError('x').message];
`;
const CONSUMER_CTS = `import runtime = require('tfc-runtime');
export async function run(dir: string): Promise<number> {
  const model = await runtime.loadModel(dir);
  const out = await model.predict([{ data: new Int32Array(4), shape: [1, 4] }]);
  if (!Array.isArray(out)) throw new runtime.InputError('expected the array form');
  return out.length + runtime.FORMAT_VERSION;
}
`;

interface Prediction {
  shape?: number[];
  data?: number[];
  backend?: string;
  wasmFile?: string;
  error?: string;
  message?: string;
}

let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-runtime-package-'));
  const installed = path.join(tmp, 'node_modules/tfc-runtime');
  mkdirSync(path.join(installed, 'dist'), { recursive: true });
  for (const file of ['package.json', ...DIST_FILES]) copyFileSync(path.join(packageDir, file), path.join(installed, file));

  const bundle = path.join(tmp, 'bundle');
  const built = await tfc(['build', path.join(caseDir, 'model.json'), '--target', 'wasm', '--out', bundle]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
  // The same files under hashed names in another folder, as a bundler would emit them.
  mkdirSync(path.join(tmp, 'assets'));
  const map: Record<string, string> = {};
  for (const name of readdirSync(bundle)) {
    map[name] = path.join(tmp, 'assets', `h${Object.keys(map).length}f0e1-${name}`);
    copyFileSync(path.join(bundle, name), map[name]);
  }
  writeFileSync(path.join(tmp, 'files.json'), JSON.stringify(map));
  const x = readCaseNpy('input_1.npy');
  writeFileSync(path.join(tmp, 'x.json'), JSON.stringify({ data: Array.from(x.data), shape: x.shape }));
  writeFileSync(path.join(tmp, 'predict.cjs'), CJS_SCRIPT);
  writeFileSync(path.join(tmp, 'predict.mjs'), ESM_SCRIPT);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tfc-runtime from a project outside the repository', () => {
  it.each(['predict.cjs', 'predict.mjs'])('%s loads a bundle from its folder and from a file map, and predicts', async (script) => {
    expect(path.relative(repoRoot, tmp).startsWith('..')).toBe(true);
    const { stdout } = await run(process.execPath, [script], { cwd: tmp });
    const report = JSON.parse(stdout) as Record<'folder' | 'map' | 'lacking', Prediction>;
    const expected = readCaseNpy('expected_1.npy');
    for (const got of [report.folder, report.map]) {
      expect(got.error, got.message).toBeUndefined();
      expect(got.backend).toBe('wasm');
      expect(compareTensors({ dtype: 'f32', shape: got.shape!, data: Float32Array.from(got.data!) }, expected)).toBeNull();
    }
    expect(report.lacking.error).toBe('BundleError');
    expect(report.lacking.message).toMatch(/cannot read 'weights\.bin' \(the file map has no entry for it\)/);
  });

  it('types: the one dist/index.d.ts type-checks in a strict consumer with no @webgpu/types, for import and require', async () => {
    const consumer = path.join(tmp, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    writeFileSync(path.join(consumer, 'consumer.mts'), CONSUMER_MTS);
    writeFileSync(path.join(consumer, 'consumer.cts'), CONSUMER_CTS);
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '-p', consumer], { cwd: consumer }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    expect(checked.stdout).toBe('');
  });
});

describe('npm pack of tfc-runtime', () => {
  it('holds only the four dist files, README, LICENSE and package.json; no dependencies; at most 200 KB unpacked', async () => {
    await run(process.execPath, [path.join(repoRoot, 'scripts/copy-license.mjs')], { cwd: packageDir });
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageDir });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[]; unpackedSize: number }[];
    expect(packed.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', ...DIST_FILES, 'package.json'].sort());
    expect(packed.unpackedSize).toBeLessThanOrEqual(200 * 1024);
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) expect(manifest[key], key).toBeUndefined();
    // Conditions are tried in this order: a bundler for browsers takes the build with no node: imports before `import`.
    expect(Object.entries((manifest.exports as Record<string, object>)['.'])).toEqual([
      ['types', './dist/index.d.ts'],
      ['browser', './dist/index.browser.mjs'],
      ['import', './dist/index.mjs'],
      ['require', './dist/index.cjs'],
    ]);
  });
});
