/**
 * `npm run fuzz -- --seconds 600 [--seed N] [--target NAME] [--runs-per-round 200]`:
 * runs the file fuzzers of test/fuzz (model.json, shards, .keras, .h5, .npy,
 * bundles) round-robin for as long as asked, then prints per target the runs,
 * correct results, clean errors and failures, and each failure's seed, path
 * and shrunk counterexample (replay one with --seed and --target). Exits 1
 * when anything failed. Needs a built packages/compiler/dist/ (`npm run fuzz`
 * builds it first), as the bundle target builds its bundle with `tfc build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { tfc } from '../test/cli/tfc.js';
import { conformanceModelDir } from '../test/fuzz/models.js';
import { Tally } from '../test/fuzz/outcome.js';
import { formatFinding, fuzzRound, type Finding } from '../test/fuzz/run.js';
import { fuzzTargets } from '../test/fuzz/targets.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    target: { type: 'string' },
    'runs-per-round': { type: 'string', default: '200' },
  },
});
const seconds = Number(values.seconds);
const runsPerRound = Number(values['runs-per-round']);
const baseSeed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!(seconds > 0) || !(runsPerRound > 0) || !Number.isInteger(baseSeed)) {
  console.error('usage: npm run fuzz -- --seconds N [--seed N] [--target NAME] [--runs-per-round N]');
  process.exit(2);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-fuzz-'));
try {
  const bundle = path.join(tmp, 'bundle');
  const built = await tfc(['build', path.join(conformanceModelDir('dense_mlp'), 'model.json'), '--out', bundle]);
  if (built.code !== 0) throw new Error(`building the fuzz bundle failed: ${built.stderr}`);
  const all = await fuzzTargets(bundle);
  const targets = values.target ? all.filter((t) => t.name === values.target) : all;
  if (targets.length === 0) throw new Error(`no target '${values.target}'; targets: ${all.map((t) => t.name).join(', ')}`);

  const tallies = new Map(targets.map((t) => [t.name, new Tally()]));
  const findings: Finding[] = [];
  const deadline = Date.now() + seconds * 1000;
  console.log(`fuzzing ${targets.length} target(s) for ${seconds} s from seed ${baseSeed}`);
  for (let round = 0; Date.now() < deadline; round++) {
    const target = targets[round % targets.length];
    // One round per target per cycle, all from the same seed, so --seed S --target T replays T's first round.
    const seed = baseSeed + Math.floor(round / targets.length);
    const finding = await fuzzRound(target, tallies.get(target.name)!, { seed, runs: runsPerRound, timeLimitMs: Math.max(1000, deadline - Date.now()) });
    if (finding) {
      findings.push(finding);
      console.log(formatFinding(finding));
    }
  }
  const total = new Tally();
  for (const [name, t] of tallies) {
    console.log(`${name.padEnd(30)} ${t.toString()}`);
    total.runs += t.runs;
    total.results += t.results;
    total.cleanErrors += t.cleanErrors;
  }
  console.log(`${'all'.padEnd(30)} ${total.runs} runs: ${total.results} results, ${total.cleanErrors} clean errors, ${findings.length} failing round(s)`);
  process.exitCode = findings.length > 0 ? 1 : 0;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
