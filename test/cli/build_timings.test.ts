/**
 * `tfc build --timings`: a table on stderr of where the build's time went,
 * each phase with its own time (loading the compiler and the model, lowering,
 * each pass, the memory plan, each target's steps, the bundle), adding up to
 * the wall time it reports, which is the process's own; stdout keeps only the
 * summary, and without the flag stderr stays empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConformanceCases, type ConformanceCase } from '../helpers/conformance.js';
import { tfc, type TfcResult } from './tfc.js';

const c: ConformanceCase = (() => {
  const found = listConformanceCases().find((x) => x.suite === 'keras' && x.name === 'mnist_cnn');
  if (!found) throw new Error('conformance case keras/mnist_cnn not found');
  return found;
})();

let tmp: string;
let timed: TfcResult;
let timedWallMs: number;
let plain: TfcResult;

/** The table's rows: label → milliseconds. */
function rows(stderr: string): Map<string, number> {
  const lines = stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^tfc build timings \(ms/);
  return new Map(
    lines.slice(1).map((line) => {
      const m = /^ {2}(.+?)\s+(\d+\.\d)\s+\d+\.\d%$/.exec(line);
      if (!m) throw new Error(`not a timings row: '${line}'`);
      return [m[1], Number(m[2])];
    }),
  );
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-timings-'));
  const start = performance.now();
  timed = await tfc(['build', c.modelFile, '--target', 'wasm,webgpu', '--out', path.join(tmp, 'timed'), '--timings']);
  timedWallMs = performance.now() - start;
  plain = await tfc(['build', c.modelFile, '--out', path.join(tmp, 'plain')]);
}, 300_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tfc build --timings', () => {
  it('lists every phase of the build, in order, on stderr', () => {
    expect(timed.code).toBe(0);
    expect(timed.stdout).toMatch(/^built /);
    expect(timed.stdout).not.toContain('tfc build timings');
    const labels = [...rows(timed.stderr).keys()];
    const expected = [
      'process start to tfc build',
      'load the compiler',
      'load model',
      'lower to IR',
      'optimize',
      'optimize › constant-folding',
      'optimize › epilogue-fusion',
      'lower for targets',
      'memory plan',
      'build report',
      'wasm',
      'wasm › generate kernels',
      'wasm › binaryen optimize',
      'wasm › emit',
      'wasm › plain twin',
      'webgpu',
      'assemble bundle',
      'write bundle',
      'untimed',
      'total (wall)',
    ];
    expect(labels.filter((l) => expected.includes(l))).toEqual(expected);
  });

  it('adds up to the wall time, which is the run the test saw', () => {
    const table = rows(timed.stderr);
    const total = table.get('total (wall)')!;
    const phases = [...table].filter(([label]) => label !== 'total (wall)').reduce((sum, [, ms]) => sum + ms, 0);
    // Each row is rounded to 0.1 ms.
    expect(Math.abs(phases - total)).toBeLessThan(0.05 * table.size + 1);
    expect(table.get('untimed')!).toBeLessThan(0.1 * total);
    expect(total).toBeLessThanOrEqual(timedWallMs);
    expect(total).toBeGreaterThan(0.5 * timedWallMs);
  });

  it('prints nothing on stderr without the flag', () => {
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
  });
});
