/**
 * `npm run fuzz:graphs -- --count 10000 [--seed 1] [--target wasm,webgpu] [--per-module 25]`:
 * differential testing of the compiled targets on random graphs (seeds
 * seed .. seed+count-1), batched into modules of disjoint components
 * (test/fuzz/graph_diff.ts). Prints counts per target (match, unsupported
 * by the target, mismatch, error, how many had NaN/Inf inputs) and every
 * failing seed as it is found; replay one with --seed S --count 1. Exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { nodeGpu } from '../driver/gpu/dawn.js';
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
  const line = (): string => {
    const { counts, special } = summarize(verdicts);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    return `${target}: ${verdicts.length} / ${count} graphs in ${seconds} s: ${counts.match} match, ${counts.unsupported} unsupported, ${counts.mismatch} mismatch, ${counts.error} error; ${special} compared with NaN/Inf inputs`;
  };
  for (let start = 0; start < count; start += perModule) {
    const seeds = Array.from({ length: Math.min(perModule, count - start) }, (_, i) => first + start + i);
    const batch = await checkSeeds(seeds, { target, gpu: found.gpu });
    verdicts.push(...batch);
    // Failures are printed as they are found, so a long run that is stopped still reports them.
    for (const v of summarize(batch).bad) console.log(`  seed ${v.seed}${v.special ? ' (NaN/Inf inputs)' : ''}: ${v.status}: ${v.detail ?? ''}`);
    if ((start / perModule) % 20 === 19) console.log(`${line()} ...`);
  }
  console.log(line());
  failed ||= summarize(verdicts).bad.length > 0;
}
process.exit(failed ? 1 : 0);
