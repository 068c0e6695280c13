/**
 * `tfc run` on bad input: each case must exit non-zero with one line
 * `tfc: error: ...` naming the problem and where it is, print no stack trace
 * (unless --verbose), and write no output file. Broken model files are
 * corrupted copies of conformance cases in a temp dir.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { f32, tensor } from '../../compiler/ir/tensor.js';
import { kerasSuiteDir } from '../helpers/conformance.js';
import { repoRoot, tfc, type TfcResult } from './tfc.js';

const KERAS = kerasSuiteDir;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-errors-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of a conformance case, changed by `edit`; returns the copy's folder. */
function brokenCase(caseName: string, label: string, edit: (dir: string) => void): string {
  const dir = path.join(tmp, label);
  cpSync(path.join(KERAS, caseName), dir, { recursive: true });
  edit(dir);
  return dir;
}

function editJson(file: string, edit: (json: Record<string, any>) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
  edit(json);
  writeFileSync(file, JSON.stringify(json));
}

function outputPath(label: string): string {
  return path.join(tmp, `${label}-out.npy`);
}

/** Asserts a clean user-facing failure whose message contains every `mentions` entry. */
function expectUserError(r: TfcResult, out: string, mentions: (string | RegExp)[]): void {
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tfc: error: /);
  expect(lines[0]).not.toMatch(/internal error/);
  for (const m of mentions) {
    if (typeof m === 'string') expect(lines[0]).toContain(m);
    else expect(lines[0]).toMatch(m);
  }
  expect(existsSync(out), `${out} must not be written`).toBe(false);
  expect(readdirSync(path.dirname(out)).filter((f) => f.includes('.tmp'))).toEqual([]);
}

const denseInput = path.join(KERAS, 'dense_mlp/input_0.npy');

async function runBroken(label: string, model: string, inputs = [denseInput]): Promise<[TfcResult, string]> {
  const out = outputPath(label);
  const args = ['run', model, ...inputs.flatMap((i) => ['--input', i]), '--output', out];
  return [await tfc(args), out];
}

function npyFile(label: string, bytes: Uint8Array): string {
  const file = path.join(tmp, `${label}.npy`);
  writeFileSync(file, bytes);
  return file;
}

describe('tfc run: broken model files', () => {
  it('malformed JSON', async () => {
    const dir = brokenCase('dense_mlp', 'malformed-json', (d) => {
      const file = path.join(d, 'model.json');
      writeFileSync(file, readFileSync(file, 'utf8').slice(0, 300));
    });
    const [r, out] = await runBroken('malformed-json', path.join(dir, 'model.json'));
    expectUserError(r, out, ['model.json', /JSON/i]);
  });

  it('a missing shard file', async () => {
    const dir = brokenCase('dense_mlp', 'missing-shard', (d) => unlinkSync(path.join(d, 'weights.bin')));
    const [r, out] = await runBroken('missing-shard', path.join(dir, 'model.json'));
    expectUserError(r, out, ['weights.bin']);
  });

  it('a short shard', async () => {
    const dir = brokenCase('dense_mlp', 'short-shard', (d) => truncateSync(path.join(d, 'weights.bin'), 1000));
    const [r, out] = await runBroken('short-shard', path.join(dir, 'model.json'));
    expectUserError(r, out, ['weights.bin', '1000']);
  });

  it('a manifest whose weight sizes do not match the shard', async () => {
    const dir = brokenCase('dense_mlp', 'size-mismatch', (d) =>
      editJson(path.join(d, 'model.json'), (j) => {
        j.weightsManifest[0].weights[0].shape = [16, 31];
      }),
    );
    const [r, out] = await runBroken('size-mismatch', path.join(dir, 'model.json'));
    expectUserError(r, out, ['model.json', 'weights.bin', /manifest/]);
  });

  it('an unknown layer class', async () => {
    const dir = brokenCase('dense_mlp', 'unknown-layer', (d) =>
      editJson(path.join(d, 'model.json'), (j) => {
        j.modelTopology.config.layers[1].class_name = 'FancyDense';
      }),
    );
    const [r, out] = await runBroken('unknown-layer', path.join(dir, 'model.json'));
    expectUserError(r, out, ['FancyDense']);
  });

  it('an unsupported layer option (data_format channels_first)', async () => {
    const dir = brokenCase('conv1d', 'channels-first', (d) =>
      editJson(path.join(d, 'model.json'), (j) => {
        j.modelTopology.config.layers[0].config.data_format = 'channels_first';
      }),
    );
    const input = path.join(KERAS, 'conv1d/input_0.npy');
    const [r, out] = await runBroken('channels-first', path.join(dir, 'model.json'), [input]);
    expectUserError(r, out, ['channels_first', 'data_format', 'conv1d']);
  });

  it('an unsupported weight dtype', async () => {
    const dir = brokenCase('dense_mlp', 'weight-dtype', (d) =>
      editJson(path.join(d, 'model.json'), (j) => {
        j.weightsManifest[0].weights[0].dtype = 'complex64';
      }),
    );
    const [r, out] = await runBroken('weight-dtype', path.join(dir, 'model.json'));
    expectUserError(r, out, ['complex64']);
  });

  it('a model path that does not exist', async () => {
    const [r, out] = await runBroken('no-model', path.join(tmp, 'nowhere/model.json'));
    expectUserError(r, out, ['nowhere/model.json', 'does not exist']);
  });

  it('a model file with an unknown extension', async () => {
    const file = path.join(tmp, 'model.onnx');
    writeFileSync(file, 'x');
    const [r, out] = await runBroken('bad-ext', file);
    expectUserError(r, out, ['model.onnx', '.json']);
  });
});

describe('tfc run: inputs that do not fit the model', () => {
  const dense = path.join(KERAS, 'dense_mlp/model.json');
  const merge = path.join(KERAS, 'merge_functional/model.json');

  it('wrong input count', async () => {
    const out = outputPath('input-count');
    const r = await tfc(['run', merge, '--input', path.join(KERAS, 'merge_functional/input_0_0.npy'), '-o', out, '-o', `${out}.2`]);
    expectUserError(r, out, ['expected 2 input', 'input_a', 'input_b', 'got 1']);
  });

  it('wrong rank', async () => {
    const [r, out] = await runBroken('rank', dense, [npyFile('rank', writeNpy(f32([2, 4, 4], new Float32Array(32))))]);
    expectUserError(r, out, ['dense_input', 'rank 2', '[2,4,4]']);
  });

  it('wrong shape', async () => {
    const [r, out] = await runBroken('shape', dense, [npyFile('shape', writeNpy(f32([2, 15], new Float32Array(30))))]);
    expectUserError(r, out, ['dense_input', '[N,16]', '[2,15]']);
  });

  it('a corrupt .npy file', async () => {
    const [r, out] = await runBroken('corrupt', dense, [npyFile('corrupt', new TextEncoder().encode('not numpy at all'))]);
    expectUserError(r, out, ['corrupt.npy', /not a \.npy file/]);
  });

  it('a truncated .npy file', async () => {
    const bytes = writeNpy(f32([2, 16], new Float32Array(32)));
    const [r, out] = await runBroken('truncated', dense, [npyFile('truncated', bytes.subarray(0, bytes.length - 8))]);
    expectUserError(r, out, ['truncated.npy', 'data bytes']);
  });

  it('a missing .npy file', async () => {
    const [r, out] = await runBroken('missing-npy', dense, [path.join(tmp, 'absent.npy')]);
    expectUserError(r, out, ['absent.npy', 'does not exist']);
  });

  it('the wrong number of --output files, listing the output names', async () => {
    const out = outputPath('output-count');
    const r = await tfc(['run', merge, '-i', path.join(KERAS, 'merge_functional/input_0_0.npy'), '-i',
      path.join(KERAS, 'merge_functional/input_0_1.npy'), '-o', out]);
    expectUserError(r, out, ['2 output', 'out_vector', 'dot_axes_2_2', 'got 1']);
  });

  it('an unwritable second output leaves no output written', async () => {
    const first = outputPath('partial');
    const second = path.join(tmp, 'no-such-dir', 'y.npy');
    const r = await tfc(['run', merge, '-i', path.join(KERAS, 'merge_functional/input_0_0.npy'), '-i',
      path.join(KERAS, 'merge_functional/input_0_1.npy'), '-o', first, '-o', second]);
    expectUserError(r, first, ['no-such-dir', 'does not exist']);
    expect(existsSync(second)).toBe(false);
  });

  it('an int32 .npy for a float32 input is converted', async () => {
    const out = outputPath('int-input');
    const ids = tensor('i32', [2, 16], Array.from({ length: 32 }, (_, i) => (i % 7) - 3));
    const asFloat = f32([2, 16], ids.data);
    const viaInt = await tfc(['run', dense, '-i', npyFile('ids-i32', writeNpy(ids)), '-o', out]);
    expect(viaInt.code, viaInt.stderr).toBe(0);
    const viaFloat = await tfc(['run', dense, '-i', npyFile('ids-f32', writeNpy(asFloat)), '-o', `${out}.f.npy`]);
    expect(viaFloat.code, viaFloat.stderr).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(`${out}.f.npy`));
  });
});

describe('tfc: error reporting', () => {
  it('prints the stack trace with --verbose', async () => {
    const out = outputPath('verbose');
    const r = await tfc(['run', path.join(tmp, 'nowhere.json'), '-o', out, '--verbose']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^tfc: error: .*does not exist/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('reports an internal error in one line ending with a hint to use --verbose', async () => {
    const file = path.join(tmp, 'broken-model.mjs');
    writeFileSync(file, "export default { toSpec() { throw new TypeError('spec exploded'); }, summary() { return ''; } };\n");
    const r = await tfc(['summary', file]);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tfc: error: internal error: spec exploded \(.*--verbose.*\)$/);
  });

  it('rejects an unknown option with a usage error', async () => {
    const r = await tfc(['run', 'x.json', '--bogus']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^tfc: error: unknown option '--bogus'/);
  });

  it('prints help and version', async () => {
    const help = await tfc(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/run \[options\] <model>/);
    expect(help.stdout).toMatch(/summary \[options\] <model>/);
    const version = await tfc(['--version']);
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});
