/**
 * The compile API as a user imports it (`tfc-compiler`, the built package):
 * compile() / build() on a TF.js model.json, a Keras .h5 and a DSL module,
 * each bundle run through the runtime it carries and checked against the
 * conformance case's expected outputs (TF.js); sources; CompileError's
 * location and message (the CLI's line); writeBundle's refusals.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, compile, CompileError, writeBundle, type CompiledBundle, type TargetName } from 'tfc-compiler';
import { f32, type TensorData } from '../../compiler/ir/tensor.js';
import { listConformanceCases, loadSample, type ConformanceCase } from '../helpers/conformance.js';
import { readTfjsCase, writeKeras2H5 } from '../helpers/keras_writers.js';
import { compareTensors } from '../helpers/tolerance.js';
import { repoRoot, tfc } from '../cli/tfc.js';

const dense = listConformanceCases().find((c) => c.name === 'dense_mlp') as ConformanceCase;

interface LoadedTensor {
  data: TensorData;
  shape: number[];
}
interface BundleModule {
  loadModel(options?: { backend?: 'wasm' }): Promise<{ predict(x: LoadedTensor[]): Promise<LoadedTensor[]>; dispose(): void }>;
}

/** Runs every sample of `c` through the bundle at `dir` (its own index.js and runtime); returns the mismatches. */
async function mismatches(dir: string, c: ConformanceCase, samples = c.samples.length): Promise<string[]> {
  const mod = (await import(pathToFileURL(path.join(dir, 'index.js')).href)) as BundleModule;
  const model = await mod.loadModel({ backend: 'wasm' });
  const problems: string[] = [];
  try {
    for (const [k, sample] of c.samples.slice(0, samples).entries()) {
      const { inputs, expected } = loadSample(sample);
      const got = await model.predict(inputs.map((t) => ({ data: t.data, shape: t.shape })));
      expected.forEach((want, j) => {
        const problem = compareTensors(f32(got[j].shape, got[j].data), want, c.tolerance);
        if (problem) problems.push(`sample ${k} output ${j}: ${problem}`);
      });
    }
  } finally {
    model.dispose();
  }
  return problems;
}

/** The CompileError `promise` rejects with (fails the test when it resolves or throws anything else). */
async function compileError(promise: Promise<unknown>): Promise<CompileError> {
  const e: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(CompileError);
  return e as CompileError;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-compile-api-'));
  // A user's ESM project with tfc-compiler installed (a link to the workspace package).
  writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(path.join(tmp, 'node_modules'));
  symlinkSync(path.join(repoRoot, 'packages/compiler'), path.join(tmp, 'node_modules/tfc-compiler'), 'dir');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('compile() and build()', () => {
  let bundle: CompiledBundle;
  const stages: string[] = [];
  beforeAll(async () => {
    bundle = await compile(dense.modelFile, { onProgress: (stage) => stages.push(stage) });
  });

  it('compiles a model.json into an in-memory bundle that predicts the expected outputs', async () => {
    expect(bundle.name).toBe('dense_mlp');
    expect(bundle.sources).toEqual([dense.modelFile, path.join(dense.dir, 'weights.bin')]);
    expect(stages).toEqual([`loading ${dense.modelFile}`, 'optimizing', 'compiling to WebAssembly', 'assembling the bundle']);
    const listed = JSON.parse(new TextDecoder().decode(bundle.files.get('manifest.json'))) as { files: Record<string, unknown> };
    expect(Object.keys(listed.files).sort()).toEqual([...bundle.files.keys()].filter((f) => f !== 'manifest.json').sort());
    expect(bundle.summary).toEqual({
      kernels: bundle.manifest.kernels.count,
      peakBytesAtBatch1: bundle.manifest.memoryPlan.peakBytesAtBatch1,
      arenaBytes: bundle.manifest.memoryPlan.arenaBytes,
      targets: [{ target: 'wasm', codeBytes: bundle.files.get('model.wasm')?.length, weightBytes: bundle.files.get('weights.bin')?.length }],
    });
    const out = path.join(tmp, 'dense');
    await writeBundle(bundle, out);
    expect(readdirSync(out).sort()).toEqual([...bundle.files.keys()].sort());
    expect(await mismatches(out, dense)).toEqual([]);
  });

  it('builds a Keras .h5 file; its sources are the one file', async () => {
    const h5 = path.join(tmp, 'dense_mlp.h5');
    writeFileSync(h5, await writeKeras2H5(readTfjsCase(dense.dir)));
    const out = path.join(tmp, 'h5-bundle');
    const built = await build(h5, out);
    expect(built.sources).toEqual([h5]);
    expect(await mismatches(out, dense, 1)).toEqual([]);
  });

  it('refuses an unknown target or runtime given by untyped code, before reading the model', async () => {
    const target = await compileError(compile(dense.modelFile, { targets: ['gpu' as TargetName] }));
    expect(target.message).toBe("unknown target 'gpu' (targets: wasm, webgpu)");
    expect(target.file).toBe(dense.modelFile);
    const runtime = await compileError(compile(dense.modelFile, { runtime: 'cdn' as 'package' }));
    expect(runtime.message).toBe("unknown runtime 'cdn' (one of: bundled, package)");
  });
});

describe('a DSL module', () => {
  it('compiles with the weights it loads; sources list the module, its local import and the weight files', async () => {
    const head = path.join(tmp, 'head.ts');
    writeFileSync(head, "import { layers } from 'tfc-compiler/dsl';\nexport const head = () => layers.dense({ units: 10, activation: 'softmax', name: 'dense_3' });\n");
    const model = path.join(tmp, 'mlp.ts');
    writeFileSync(
      model,
      [
        "import { layers, sequential } from 'tfc-compiler/dsl';",
        "import { head } from './head.js';",
        'const mlp = sequential([',
        "  layers.dense({ units: 32, activation: 'relu', inputShape: [16], name: 'dense' }),",
        "  layers.dense({ units: 24, activation: 'tanh', name: 'dense_1' }),",
        "  layers.dense({ units: 16, activation: 'sigmoid', name: 'dense_2' }),",
        '  head(),',
        "], { name: 'dense_mlp' });",
        `await mlp.loadWeights(${JSON.stringify(dense.modelFile)});`,
        'export default mlp;',
      ].join('\n'),
    );
    const out = path.join(tmp, 'dsl-bundle');
    const built = await build(model, out);
    expect([...built.sources].sort()).toEqual([model, head, dense.modelFile, path.join(dense.dir, 'weights.bin')].sort());
    expect(await mismatches(out, dense, 1)).toEqual([]);
  });

  it('is traced afresh on each compile, with its edited local imports', async () => {
    const width = path.join(tmp, 'width.ts');
    const model = path.join(tmp, 'tiny.ts');
    writeFileSync(width, 'export const units = 3;\n');
    writeFileSync(model, "import { layers, sequential } from 'tfc-compiler/dsl';\nimport { units } from './width.js';\nexport default sequential([layers.dense({ units, inputShape: [4], name: 'out' })]);\n");
    const first = await compile(model);
    writeFileSync(width, 'export const units = 5;\n');
    const second = await compile(model);
    expect(first.manifest.outputs[0].shape).toEqual(['N', 3]);
    expect(second.manifest.outputs[0].shape).toEqual(['N', 5]);
  });

  it("reports a shape error as a CompileError at the user's line, with the line the CLI prints", async () => {
    const model = path.join(tmp, 'too-small.ts');
    const call = '  layers.conv2d({ filters: 2, kernelSize: 5, inputShape: [3, 3, 1] }),';
    writeFileSync(model, ["import { layers, sequential } from 'tfc-compiler/dsl';", 'export default sequential([', call, ']);'].join('\n'));
    // vitest formats stack traces itself and knows only the modules it loaded; a user's process has Node's own.
    const vitestStacks = Error.prepareStackTrace;
    Reflect.deleteProperty(Error, 'prepareStackTrace');
    const e = await compileError(compile(model)).finally(() => {
      Error.prepareStackTrace = vitestStacks;
    });
    expect({ file: e.file, line: e.line, column: e.column }).toEqual({ file: model, line: 3, column: call.indexOf('conv2d') + 1 });
    expect(e.message).toMatch(/too-small\.ts:3:\d+: .*conv2d/);
    const cli = await tfc(['build', model, '--out', path.join(tmp, 'never')]);
    expect(cli.stderr).toBe(`tfc: error: ${e.message}\n`);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('an op a target cannot compile', () => {
  it('is a CompileError naming the op, the target and the model file', async () => {
    // Softmax over a non-last axis has no wasm kernel yet (as in test/cli/build.test.ts).
    const model = path.join(tmp, 'softmax_axis.ts');
    writeFileSync(model, "import { layers, sequential } from 'tfc-compiler/dsl';\nexport default sequential([layers.softmax({ axis: 1, inputShape: [4, 5] })]);\n");
    const e = await compileError(compile(model, { targets: ['wasm'] }));
    expect(e.message).toMatch(/softmax_axis\.ts: the wasm target supports 'softmax' over the last axis only, got axis 1 .*target wasm/);
    expect({ file: e.file, line: e.line }).toEqual({ file: model, line: undefined });
  });
});

describe('writeBundle()', () => {
  let bundle: CompiledBundle;
  beforeAll(async () => {
    bundle = await compile(path.join(repoRoot, 'test/conformance/keras/embedding_dense/model.json'));
  });

  it('refuses a folder holding other files, and leaves it as it was', async () => {
    const out = path.join(tmp, 'mine');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const e = await compileError(writeBundle(bundle, out));
    expect(e.message).toMatch(/refusing to write the bundle to .*mine: it holds 'notes\.txt' and no manifest\.json/);
    expect(e.file).toBe(out);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it("refuses the folder of one of the model's sources, a file and a symbolic link", async () => {
    const sourceFolder = await compileError(writeBundle(bundle, path.dirname(bundle.sources[0])));
    expect(sourceFolder.message).toMatch(/it is the folder of .*model\.json, a source of model/);
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    expect((await compileError(writeBundle(bundle, file))).message).toMatch(/it is a file, not a folder/);
    const link = path.join(tmp, 'a-link');
    symlinkSync(tmp, link);
    expect((await compileError(writeBundle(bundle, link))).message).toMatch(/it is a symbolic link/);
  });

  it('replaces an earlier bundle', async () => {
    const out = path.join(tmp, 'again');
    await writeBundle(bundle, out);
    await writeBundle(bundle, out);
    expect(readdirSync(out).sort()).toEqual([...bundle.files.keys()].sort());
  });

  it('build() refuses a bad output folder before compiling', async () => {
    const stages: string[] = [];
    const e = await compileError(build(dense.modelFile, dense.dir, { onProgress: (s) => stages.push(s) }));
    expect(e.message).toMatch(/it is the folder of the model/);
    expect(stages).toEqual([]);
  });
});
