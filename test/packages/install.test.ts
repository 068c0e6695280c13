/**
 * The packages as a new user gets them (issue #10): every workspace package
 * is packed into a tarball, the tarballs are installed into a fresh
 * `npm init -y` project outside the repository, and from there the
 * installed `tfc` builds a Keras model of the conformance suite and a DSL
 * module, CommonJS and ES module scripts predict with the installed
 * tfc-runtime, and the optional Dawn (`webgpu`) is absent and asked for by
 * name. Everything runs once in beforeAll; the tests check its results.
 * Installing needs the npm registry (through the npm cache): without it the
 * tests are skipped with the reason, or fail under CI=true.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { onCi } from '../helpers/ci.js';
import { listConformanceCases, readTensor, repoRoot, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { freshProject } from './helpers/fresh_project.js';
import { registryUnreachable, runCommand, type CommandResult } from './helpers/npm.js';
import { packWorkspaces, type PackedPackage } from './helpers/pack.js';
import { tarballFileProblems } from './helpers/tarball_files.js';

const CASE = 'dense_mlp';
const RUNTIME_MAX_BYTES = 200 * 1024;

interface JsonTensor {
  shape: number[];
  data: number[];
}

interface Installed {
  packed: PackedPackage[];
  project: string;
  version: CommandResult;
  buildWasm: CommandResult;
  buildBoth: CommandResult;
  buildDsl: CommandResult;
  predictCjs: CommandResult;
  predictEsm: CommandResult;
  predictWebgpu: CommandResult;
  predictAuto: CommandResult;
  requireCompiler: CommandResult;
  importCompiler: CommandResult;
  requireDsl: CommandResult;
  importEach: CommandResult;
}

const testCase: ConformanceCase = (() => {
  const found = listConformanceCases().find((c) => c.name === CASE);
  if (!found) throw new Error(`conformance case keras/${CASE} not found`);
  return found;
})();

/** The case's inputs as the consumer scripts read them (samples.json). */
function samplesJson(): string {
  return JSON.stringify(
    testCase.samples.map((s) => s.inputFiles.map(readTensor).map((t) => ({ dtype: t.dtype, shape: t.shape, data: Array.from(t.data) }))),
  );
}

/** Checks a consumer script's printed outputs against every sample's expected .npy files. */
function expectSamplesMatch(run: CommandResult): void {
  expect(run.code, run.stderr).toBe(0);
  const results = JSON.parse(run.stdout) as JsonTensor[][];
  expect(results).toHaveLength(testCase.samples.length);
  testCase.samples.forEach((sample, i) => {
    sample.expectedFiles.forEach((file, j) => {
      const expected = readTensor(file);
      const got: Tensor = { dtype: expected.dtype, shape: results[i][j].shape, data: Float32Array.from(results[i][j].data) };
      expect(compareTensors(got, expected, testCase.tolerance), `${path.basename(file)}`).toBeNull();
    });
  });
}

/** The total size of the files under a folder. */
function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => statSync(path.join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((sum, s) => sum + s.size, 0);
}

async function installAndRun(packDir: string): Promise<Installed> {
  const packed = await packWorkspaces(packDir);
  const project = await freshProject(packed.map((p) => p.tarball));
  cpSync(testCase.dir, path.join(project, 'case'), { recursive: true });
  writeFileSync(path.join(project, 'samples.json'), samplesJson());
  // `--no`: never download a package named tfc (an unrelated one exists on npm) if the installed bin is missing;
  // `--`: the flags after it are tfc's, not npm's (npm would take --version, --target).
  const tfc = (...args: string[]): Promise<CommandResult> => runCommand('npx', ['--no', '--', 'tfc', ...args], project);
  const node = (...args: string[]): Promise<CommandResult> => runCommand(process.execPath, args, project);
  const [version, buildWasm, buildBoth, buildDsl] = await Promise.all([
    tfc('--version'),
    tfc('build', 'case/model.json', '--target', 'wasm', '--out', 'model'),
    tfc('build', 'case/model.json', '--target', 'wasm,webgpu', '--out', 'model-both'),
    tfc('build', 'model.ts', '--out', 'model-dsl'),
  ]);
  const input = 'case/' + path.basename(testCase.samples[0].inputFiles[0]);
  const importEachScript = `for (const name of ${JSON.stringify(packed.map((p) => p.name))}) await import(name);`;
  const [predictCjs, predictEsm, predictWebgpu, predictAuto, requireCompiler, importCompiler, requireDsl, importEach] = await Promise.all([
    node('predict.cjs'),
    node('predict.mjs'),
    tfc('predict', 'model-both', '--backend', 'webgpu', '--input', input, '--output', 'webgpu.npy'),
    tfc('predict', 'model-both', '--backend', 'auto', '--input', input, '--output', 'auto.npy'),
    node('-e', "require('tfc-compiler')"),
    node('--input-type=module', '-e', "const api = await import('tfc-compiler'); const dsl = await import('tfc-compiler/dsl'); console.log(typeof api.compile, typeof dsl.sequential)"),
    node('-e', "console.log(typeof require('tfc-compiler/dsl').sequential)"),
    node('--input-type=module', '-e', importEachScript),
  ]);
  return {
    packed,
    project,
    version,
    buildWasm,
    buildBoth,
    buildDsl,
    predictCjs,
    predictEsm,
    predictWebgpu,
    predictAuto,
    requireCompiler,
    importCompiler,
    requireDsl,
    importEach,
  };
}

const unreachable = await registryUnreachable(tmpdir());

if (unreachable !== null) {
  if (onCi) {
    it(`installing the packed packages requires the npm registry under CI=true: ${unreachable}`, () => {
      throw new Error(`the tarball install test needs the npm registry under CI=true, but ${unreachable}`);
    });
  } else {
    const reason = `tarball install test skipped: ${unreachable}`;
    it.skip(reason);
    console.warn(reason);
  }
} else {
  describe('the packed packages, installed into a fresh npm init -y project', () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'tfc-tarballs-'));
    let installed: Installed;

    beforeAll(async () => {
      installed = await installAndRun(packDir);
    }, 600_000);

    afterAll(() => {
      rmSync(packDir, { recursive: true, force: true });
      if (installed) rmSync(installed.project, { recursive: true, force: true });
    });

    it('packs every workspace package, each with a prepack that builds and copies LICENSE, and each loads once installed', () => {
      expect(installed.packed.map((p) => p.name)).toEqual(expect.arrayContaining(['tfc-compiler', 'tfc-runtime']));
      for (const pkg of installed.packed) {
        expect(pkg.scripts.prepack, pkg.name).toMatch(/scripts\/build\.mjs.*scripts\/copy-license\.mjs/);
      }
      expect(installed.importEach.code, installed.importEach.stderr).toBe(0);
    });

    it('holds only compiled JavaScript, declarations, README, LICENSE and package.json in each tarball', () => {
      for (const pkg of installed.packed) expect(tarballFileProblems(pkg.files), pkg.name).toEqual([]);
    });

    it('gives a working tfc: --version and a build of a Keras model.json', () => {
      const compiler = JSON.parse(readFileSync(path.join(repoRoot, 'packages/compiler/package.json'), 'utf8')) as { version: string };
      expect(installed.version.code, installed.version.stderr).toBe(0);
      expect(installed.version.stdout.trim()).toBe(compiler.version);
      expect(installed.buildWasm.code, installed.buildWasm.stderr).toBe(0);
      expect(existsSync(path.join(installed.project, 'model/manifest.json'))).toBe(true);
      expect(existsSync(path.join(installed.project, 'model/model.wasm'))).toBe(true);
      expect(installed.buildBoth.code, installed.buildBoth.stderr).toBe(0);
    });

    it('builds a DSL model module of the CommonJS project, whose import of tfc-compiler/dsl tsx compiles to require()', () => {
      expect(installed.buildDsl.code, installed.buildDsl.stderr).toBe(0);
      expect(existsSync(path.join(installed.project, 'model-dsl/manifest.json'))).toBe(true);
    });

    it('predicts the expected outputs from a CommonJS script (require tfc-runtime)', () => {
      expectSamplesMatch(installed.predictCjs);
    });

    it('predicts the expected outputs from an ES module script (import tfc-runtime)', () => {
      expectSamplesMatch(installed.predictEsm);
    });

    it('installs a runtime with no dependencies, at most 200 KB', () => {
      const dir = path.join(installed.project, 'node_modules/tfc-runtime');
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies']) expect(Object.keys(pkg[key] ?? {}), key).toEqual([]);
      expect(folderBytes(dir)).toBeLessThanOrEqual(RUNTIME_MAX_BYTES);
    });

    it("does not install Dawn ('webgpu'); --backend webgpu names the package to install", () => {
      expect(existsSync(path.join(installed.project, 'node_modules/webgpu'))).toBe(false);
      const run = installed.predictWebgpu;
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^tfc: error: --backend webgpu: [^\n]*'webgpu'[^\n]*`npm install webgpu`\n$/);
      expect(existsSync(path.join(installed.project, 'webgpu.npy'))).toBe(false);
    });

    it('falls back to wasm with --backend auto, saying why in its one line', () => {
      const run = installed.predictAuto;
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^tfc: predicted with wasm \(model(\.relaxed)?\.wasm\); webgpu not used: [^\n]*`npm install webgpu`\n$/);
      const expected = readTensor(testCase.samples[0].expectedFiles[0]);
      expect(compareTensors(readTensor(path.join(installed.project, 'auto.npy')), expected, testCase.tolerance)).toBeNull();
    });

    it('loads tfc-compiler and tfc-compiler/dsl as ES modules; require() says the compiler is ESM-only but loads the DSL', () => {
      expect(installed.importCompiler.code, installed.importCompiler.stderr).toBe(0);
      expect(installed.importCompiler.stdout.trim()).toBe('function function');
      expect(installed.requireCompiler.code).toBe(1);
      expect(installed.requireCompiler.stderr).toContain('tfc-compiler is ESM-only');
      expect(installed.requireDsl.code, installed.requireDsl.stderr).toBe(0);
      expect(installed.requireDsl.stdout.trim()).toBe('function');
    });
  });
}
