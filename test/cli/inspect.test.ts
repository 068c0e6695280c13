import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kerasCaseDir } from '../helpers/conformance.js';
import { tfc } from './tfc.js';

const caseDir = kerasCaseDir('mnist_cnn');

describe('tfc inspect', () => {
  it('prints exactly the documented JSON keys with consistent numbers', async () => {
    const r = await tfc(['inspect', path.join(caseDir, 'model.json'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(['kernels_after', 'naive_bytes', 'nodes_before', 'ops_after', 'peak_bytes', 'weight_bytes']);
    const ops = report.ops_after as Record<string, number>;
    expect(Object.values(ops).reduce((a, b) => a + b, 0)).toBe(report.kernels_after);
    // mnist_cnn has nothing to fold into its weights: the optimized graph reads exactly weights.bin.
    expect(report.weight_bytes).toBe(statSync(path.join(caseDir, 'weights.bin')).size);
    expect(report.peak_bytes as number).toBeLessThanOrEqual(report.naive_bytes as number);
    expect(report.kernels_after as number).toBeLessThan(report.nodes_before as number);
    expect(ops.batch_norm).toBeUndefined();
  });

  it('with --no-opt reports the graph as imported', async () => {
    const r = await tfc(['inspect', path.join(caseDir, 'model.json'), '--json', '--no-opt']);
    const report = JSON.parse(r.stdout) as { ops_after: Record<string, number> };
    // Two Conv2D and two Dense layers: unfused convolutions, matmuls and their bias adds.
    expect(report.ops_after).toMatchObject({ conv2d: 2, matmul: 2, add: 4 });
    expect(report.ops_after.fused).toBeUndefined();
  });

  it('on a bundle folder prints the report recorded at build time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tfc-inspect-'));
    const bundle = path.join(dir, 'mnist');
    expect((await tfc(['build', path.join(caseDir, 'model.json'), '--out', bundle])).code).toBe(0);
    const fromModel = JSON.parse((await tfc(['inspect', path.join(caseDir, 'model.json'), '--json'])).stdout) as unknown;
    const fromBundle = await tfc(['inspect', bundle, '--json']);
    expect(fromBundle.code).toBe(0);
    expect(JSON.parse(fromBundle.stdout)).toEqual(fromModel);
    const text = await tfc(['inspect', bundle]);
    expect(text.stdout).toMatch(/^model mnist_cnn \(bundle format 3, targets: wasm\)\ncode bytes \(wasm\)\s+[\d,]+\n/);
    const notBundle = await tfc(['inspect', dir]);
    expect(notBundle.code).toBe(1);
    expect(notBundle.stderr).toMatch(/^tfc: error: bundle .*: no manifest\.json/);
  });

  it('prints a table for people', async () => {
    const r = await tfc(['inspect', path.join(caseDir, 'model.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kernels after\s+\d+/);
    expect(r.stdout).toMatch(/peak bytes/);
  });
});
