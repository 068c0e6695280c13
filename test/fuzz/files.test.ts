/**
 * File fuzzers in CI: each target (model.json, shards, .keras, .h5, .npy,
 * bundles) runs a fixed-seed round of damaged inputs; every one must give a
 * result or one clean error within the limits (test/fuzz/outcome.ts).
 * `npm run fuzz -- --seconds 600` runs the same targets for as long as asked.
 * FUZZ_SEED changes the seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfc } from '../cli/tfc.js';
import { conformanceModelDir } from './models.js';
import { Tally } from './outcome.js';
import { formatFinding, fuzzRound } from './run.js';
import { fuzzTargets, type FuzzTarget } from './targets.js';

const RUNS_PER_TARGET = 100;
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-fuzz-ci-'));
let targets: FuzzTarget[] = [];

beforeAll(async () => {
  const bundle = path.join(tmp, 'bundle');
  const built = await tfc(['build', path.join(conformanceModelDir('dense_mlp'), 'model.json'), '--out', bundle]);
  if (built.code !== 0) throw new Error(`building the fuzz bundle failed: ${built.stderr}`);
  targets = await fuzzTargets(bundle);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('damaged files give a result or one clean error', () => {
  it.each(['model.json structure', 'weight shard bytes', '.keras bytes', '.keras config.json structure', '.h5 bytes', '.npy bytes', 'bundle'])(
    '%s',
    async (name) => {
      const target = targets.find((t) => t.name === name);
      if (!target) throw new Error(`no fuzz target '${name}'`);
      const tally = new Tally();
      const finding = await fuzzRound(target, tally, { seed: SEED, runs: RUNS_PER_TARGET });
      expect(finding ? formatFinding(finding) : '').toBe('');
      expect(tally.runs).toBe(RUNS_PER_TARGET);
    },
    60_000,
  );
});
