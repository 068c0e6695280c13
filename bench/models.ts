/**
 * Whole-model benchmark: tfc's WASM bundles vs TensorFlow.js 4.22's WASM
 * backend (XNNPACK, SIMD, one thread) and its CPU backend, in one process.
 *
 *   npx tsx bench/models.ts                   # every model, about 2.5 minutes on 2 cores
 *   npx tsx bench/models.ts --budget 5        # seconds of timed rounds per case (default 20)
 *   npx tsx bench/models.ts --only mobilenet  # cases whose label contains this text
 *
 * Per case (a model at one batch size): every engine loads the model fresh and
 * the time to its first result is recorded; each engine's output is checked
 * against tfc's (loose tolerance: a check that both compute the same model);
 * every engine warms up; then rounds run the engines round-robin (the starting
 * engine rotates), each sample repeating predictions for at least SAMPLE_MS.
 * The table shows medians over rounds and `xN` = engine time / tfc time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { prepareCases, type BenchCase } from './model_cases.js';
import { ENGINES, loadOn, type EngineName, type LoadedModel } from './model_engines.js';

/** Each timed sample runs at least this long, so timer resolution does not matter. */
const SAMPLE_MS = 10;
const WARMUP_MS = 600;
const MIN_ROUNDS = 3;
const MAX_ROUNDS = 61;
/** The sanity check's tolerance on |engine - tfc|: loose, the engines sum in different orders. */
const CHECK_ATOL = 1e-3;
const CHECK_RTOL = 1e-2;
/** The targets. */
const SMALL_MODEL_PARAMS = 200_000;
const MOBILENET_CODE_LIMIT = 100 * 1024;

interface EngineResult {
  /** Median milliseconds per prediction. */
  ms: number;
  /** This engine's time / tfc's time (tfc: 1). */
  vsTfc: number;
  /** Loading the model from its files, then the first prediction after it. */
  loadMs: number;
  firstMs: number;
  /** Largest |output - tfc output| (0 for tfc) and whether it is within the check's tolerance. */
  maxAbsDiff: number;
  matches: boolean;
}

interface CaseResult {
  label: string;
  params: number;
  batch: number;
  codeBytes: number;
  rounds: number;
  engines: Record<EngineName, EngineResult>;
}

function parseArgs(): { budgetMs: number; only?: string } {
  const args = process.argv.slice(2);
  let budgetMs = 20_000;
  let only: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--budget') {
      budgetMs = Number(args[++i]) * 1000;
      if (!(budgetMs > 0)) throw new Error(`--budget: expected seconds > 0, got "${args[i]}"`);
    } else if (args[i] === '--only') {
      only = args[++i];
    } else {
      throw new Error(`bench/models.ts: unknown argument "${args[i]}" (expected --budget or --only)`);
    }
  }
  return { budgetMs, only };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const geomean = (values: number[]): number => Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);

/** Milliseconds per prediction, over as many predictions as fit in SAMPLE_MS (at least one). */
async function sample(predict: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  const start = performance.now();
  let now = start;
  do {
    await predict();
    calls++;
    now = performance.now();
  } while (now - start < SAMPLE_MS);
  return (now - start) / calls;
}

function compare(actual: Float32Array[], expected: Float32Array[]): { maxAbsDiff: number; matches: boolean } {
  let maxAbsDiff = 0;
  let matches = actual.length === expected.length;
  actual.forEach((a, i) => {
    const e = expected[i];
    if (a.length !== e.length) matches = false;
    for (let j = 0; j < Math.min(a.length, e.length); j++) {
      const d = Math.abs(a[j] - e[j]);
      maxAbsDiff = Math.max(maxAbsDiff, d);
      if (!(d <= CHECK_ATOL + CHECK_RTOL * Math.abs(e[j]))) matches = false;
    }
  });
  return { maxAbsDiff, matches };
}

async function runCase(c: BenchCase, budgetMs: number): Promise<CaseResult> {
  const loaded = new Map<EngineName, LoadedModel>();
  const first = new Map<EngineName, { loadMs: number; firstMs: number; out: Float32Array[] }>();
  for (const engine of ENGINES) {
    const start = performance.now();
    const m = await loadOn(engine, c);
    const loadedAt = performance.now();
    const out = await m.predict(c.inputs);
    first.set(engine, { loadMs: loadedAt - start, firstMs: performance.now() - loadedAt, out });
    loaded.set(engine, m);
  }
  const reference = first.get('tfc')!.out;

  const estimate = new Map<EngineName, number>();
  for (const engine of ENGINES) {
    const m = loaded.get(engine)!;
    await m.activate();
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 2 || performance.now() - start < WARMUP_MS) times.push(await sample(() => m.predict(c.inputs)));
    estimate.set(engine, Math.min(...times));
  }
  const roundMs = ENGINES.reduce((n, e) => n + Math.max(estimate.get(e)!, SAMPLE_MS), 0);
  const rounds = Math.max(MIN_ROUNDS, Math.min(MAX_ROUNDS, Math.floor(budgetMs / roundMs)));

  const times = new Map<EngineName, number[]>(ENGINES.map((e) => [e, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < ENGINES.length; k++) {
      const engine = ENGINES[(r + k) % ENGINES.length];
      const m = loaded.get(engine)!;
      await m.activate();
      times.get(engine)!.push(await sample(() => m.predict(c.inputs)));
    }
  }
  for (const m of loaded.values()) m.dispose();

  const tfcMs = median(times.get('tfc')!);
  const engines = Object.fromEntries(
    ENGINES.map((engine) => {
      const ms = median(times.get(engine)!);
      const { loadMs, firstMs, out } = first.get(engine)!;
      return [engine, { ms, vsTfc: ms / tfcMs, loadMs, firstMs, ...compare(out, reference) }];
    }),
  ) as Record<EngineName, EngineResult>;
  return { label: c.label, params: c.params, batch: c.batch, codeBytes: c.codeBytes, rounds, engines };
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function printTable(results: CaseResult[]): void {
  const header = ['case', 'params', ...ENGINES.map((e) => `${e} ms`), 'wasm/tfc', 'cpu/tfc', ...ENGINES.map((e) => `${e} load+first ms`), 'check'];
  const rows = results.map((r) => [
    r.label,
    String(r.params),
    ...ENGINES.map((e) => formatMs(r.engines[e].ms)),
    `x${r.engines['tfjs-wasm'].vsTfc.toFixed(2)}`,
    `x${r.engines['tfjs-cpu'].vsTfc.toFixed(2)}`,
    ...ENGINES.map((e) => `${formatMs(r.engines[e].loadMs)}+${formatMs(r.engines[e].firstMs)}`),
    ENGINES.every((e) => r.engines[e].matches) ? 'ok' : `MISMATCH (${ENGINES.filter((e) => !r.engines[e].matches).join(', ')})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log('Models, one thread, median ms per prediction (xN = engine time / tfc time)');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function summarize(results: CaseResult[]): Record<string, unknown> {
  const wasmRatio = (r: CaseResult): number => r.engines['tfjs-wasm'].vsTfc;
  const small = results.filter((r) => r.params < SMALL_MODEL_PARAMS);
  const mobilenet = results.find((r) => r.label.startsWith('mobilenetv2'));
  return {
    geomeanVsTfjsWasm: geomean(results.map(wasmRatio)),
    geomeanVsTfjsCpu: geomean(results.map((r) => r.engines['tfjs-cpu'].vsTfc)),
    under200kParams: small.length ? { geomeanVsTfjsWasm: geomean(small.map(wasmRatio)), minVsTfjsWasm: Math.min(...small.map(wasmRatio)) } : null,
    mobilenetV2: mobilenet ? { vsTfjsWasm: wasmRatio(mobilenet), codeBytes: mobilenet.codeBytes, codeLimitBytes: MOBILENET_CODE_LIMIT } : null,
  };
}

async function main(): Promise<void> {
  const { budgetMs, only } = parseArgs();
  setThreadsCount(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const work = await mkdtemp(path.join(os.tmpdir(), 'tfc-bench-models-'));
  try {
    const cases = await prepareCases(work, log, only);
    const results: CaseResult[] = [];
    for (const c of cases) {
      const start = performance.now();
      results.push(await runCase(c, budgetMs));
      const r = results[results.length - 1];
      log(`${c.label}: ${r.rounds} rounds in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }
    printTable(results);
    const summary = summarize(results);
    const env = { node: process.version, cpus: os.availableParallelism(), loadAverage: os.loadavg(), tfjsWasmSimd: simd, tfjsWasmThreads: 1 };
    console.log(JSON.stringify({ env, summary, results }, null, 2));
    if (results.some((r) => ENGINES.some((e) => !r.engines[e].matches))) {
      log('bench/models.ts: some engine disagrees with tfc beyond the check tolerance (see "check")');
      process.exitCode = 1;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
