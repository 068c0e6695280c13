/**
 * `npm run fuzz:graphs -- --count 10000 [--seed 1] [--target wasm,webgpu] [--per-module 25]`:
 * differential testing of the compiled targets on random graphs (seeds
 * seed .. seed+count-1), batched into modules of disjoint components
 * (test/fuzz/graph_diff.ts). Prints counts per target (match, unsupported
 * by the target, mismatch, error, how many had NaN/Inf inputs) and every
 * failing seed; replay one with --seed S --count 1. Exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { nodeGpu } from '../compiler/gpu/dawn.js';
import { checkSeeds, summarize, type TargetName, type Verdict } from '../test/fuzz/graph_diff.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    target: { type: 'string', default: 'wasm,webgpu' },
    'per-module': { type: 'string', default: '25' },
  },
});
const count = Number(values.count);
const first = Number(values.seed);
const perModule = Number(values['per-module']);
const targets = values.target.split(',').map((t) => t.trim()) as TargetName[];
if (!(count > 0) || !Number.isInteger(first) || !(perModule > 0) || targets.some((t) => t !== 'wasm' && t !== 'webgpu')) {
  console.error('usage: npm run fuzz:graphs -- --count N [--seed N] [--target wasm,webgpu] [--per-module N]');
  process.exit(2);
}

const found = targets.includes('webgpu') ? await nodeGpu() : { gpu: undefined, reason: '' };
let failed = false;
for (const target of targets) {
  if (target === 'webgpu' && !found.gpu) {
    console.log(`webgpu: skipped (${found.reason})`);
    continue;
  }
  const started = Date.now();
  const verdicts: Verdict[] = [];
  for (let start = 0; start < count; start += perModule) {
    const seeds = Array.from({ length: Math.min(perModule, count - start) }, (_, i) => first + start + i);
    verdicts.push(...(await checkSeeds(seeds, { target, gpu: found.gpu })));
    if ((start / perModule) % 40 === 39) console.log(`${target}: ${verdicts.length} / ${count} ...`);
  }
  const { counts, special, bad } = summarize(verdicts);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${target}: ${count} graphs in ${seconds} s: ${counts.match} match, ${counts.unsupported} unsupported, ${counts.mismatch} mismatch, ${counts.error} error; ${special} compared with NaN/Inf inputs`);
  for (const v of bad) console.log(`  seed ${v.seed}${v.special ? ' (NaN/Inf inputs)' : ''}: ${v.status}: ${v.detail ?? ''}`);
  failed ||= bad.length > 0;
}
process.exit(failed ? 1 : 0);
