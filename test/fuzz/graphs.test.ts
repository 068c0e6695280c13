/**
 * Differential random-graph testing in CI: 1,000 random graphs per target
 * (wasm, and webgpu where an adapter exists), 25 to a compiled module (see
 * graph_diff.ts for why they are batched), each compared with the reference
 * interpreter; a quarter of them get NaN / ±Inf inputs. `npm run fuzz:graphs
 * -- --count 10000` runs more. FUZZ_GRAPHS_SEED / FUZZ_GRAPHS_COUNT change the seeds.
 */
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../driver/gpu/dawn.js';
import { checkSeeds, summarize, type TargetName, type Verdict } from './graph_diff.js';

const FIRST_SEED = Number(process.env.FUZZ_GRAPHS_SEED ?? 1);
const COUNT = Number(process.env.FUZZ_GRAPHS_COUNT ?? 1000);
const PER_MODULE = 25;

const found = await nodeGpu();

async function checkAll(target: TargetName): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (let start = 0; start < COUNT; start += PER_MODULE) {
    const seeds = Array.from({ length: Math.min(PER_MODULE, COUNT - start) }, (_, i) => FIRST_SEED + start + i);
    verdicts.push(...(await checkSeeds(seeds, { target, gpu: found.gpu })));
  }
  return verdicts;
}

function report(target: TargetName, verdicts: Verdict[]): string[] {
  const { counts, special, bad } = summarize(verdicts);
  console.log(`${target}: ${verdicts.length} random graphs: ${counts.match} match, ${counts.unsupported} unsupported by the target, ${counts.mismatch} mismatch, ${counts.error} errors; ${special} compared with NaN/Inf inputs`);
  return bad.map((v) => `seed ${v.seed}${v.special ? ' (NaN/Inf inputs)' : ''}: ${v.status}: ${v.detail ?? ''}`);
}

describe('random graphs: compiled targets match the interpreter', () => {
  it(`wasm (${COUNT} graphs)`, { timeout: 600_000 }, async () => {
    const verdicts = await checkAll('wasm');
    expect(report('wasm', verdicts)).toEqual([]);
    expect(summarize(verdicts).counts.match).toBeGreaterThan(COUNT / 2);
  });

  const webgpu = found.gpu ? it : it.skip;
  webgpu(`webgpu (${COUNT} graphs)${found.gpu ? '' : ` (skipped: ${found.reason})`}`, { timeout: 600_000 }, async () => {
    const verdicts = await checkAll('webgpu');
    expect(report('webgpu', verdicts)).toEqual([]);
    expect(summarize(verdicts).counts.match).toBeGreaterThan(COUNT / 2);
  });
});
