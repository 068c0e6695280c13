import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../compiler/io/npy.js';
import { kerasCaseDir } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { tfc } from './tfc.js';

const caseDir = kerasCaseDir('batchnorm');
const input = path.join(caseDir, 'input_1.npy');
const model = path.join(caseDir, 'model.json');
const expected = readNpy(new Uint8Array(readFileSync(path.join(caseDir, 'expected_1.npy'))));

describe('tfc run pipeline flags', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfc-pipeline-'));
  const out = (name: string): string => path.join(dir, name);
  const read = (file: string) => readNpy(new Uint8Array(readFileSync(file)), file);

  it('gives the expected numbers with and without the pipeline, and with a pass disabled', async () => {
    const runs = [
      ['opt.npy', []],
      ['noopt.npy', ['--no-opt']],
      ['nofold.npy', ['--disable-pass', 'batchnorm-folding', '--verify-each']],
    ] as const;
    for (const [file, flags] of runs) {
      const r = await tfc(['run', model, '-i', input, '-o', out(file), ...flags]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(compareTensors(read(out(file)), expected)).toBeNull();
    }
  });

  it('prints the IR after a named pass, and rejects an unknown pass name', async () => {
    const printed = await tfc(['run', model, '-i', input, '-o', out('p.npy'), '--print-ir-after', 'dce']);
    expect(printed.code).toBe(0);
    expect(printed.stderr).toMatch(/\/\/ ----- IR after dce \(round 1\) -----\ngraph @/);
    const bad = await tfc(['run', model, '-i', input, '-o', out('q.npy'), '--disable-pass', 'no-such-pass']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^tfc: error: unknown pass 'no-such-pass' \(passes: cse, /);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('lists the pipeline with a reason for every pass', async () => {
    const r = await tfc(['passes']);
    expect(r.code).toBe(0);
    for (const name of ['cse', 'constant-folding', 'dce']) expect(r.stdout).toContain(name);
    expect(r.stdout.match(/why here: /g)?.length).toBe(r.stdout.match(/^ ?\d+\. /gm)?.length);
  });
});
