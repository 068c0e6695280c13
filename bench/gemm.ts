/**
 * GEMM benchmark: tfc's binaryen-built WASM SIMD kernel vs TensorFlow.js's
 * WASM backend (XNNPACK, SIMD, one thread), interleaved in one process.
 *
 *   npx tsx bench/gemm.ts                                    # mul+add kernel
 *   node --experimental-wasm-relaxed-simd --import tsx bench/gemm.ts   # + relaxed madd
 *   npx tsx bench/gemm.ts --tiles 4x8,5x8,6x8 --unroll 4     # sweep register tiles
 *
 * Each round times every contestant on every shape, so clock drift hits all
 * of them alike; the table reports medians over rounds. B is packed once (it is
 * a constant weight); A is already in the module's memory, as it is when the
 * compiled model's previous layer produced it. TF.js gets its inputs as
 * resident tensors and its output tensor is disposed, not read back.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { engineHasRelaxedSimd } from '../targets/wasm/binaryen.js';
import { DEFAULT_TILE, type GemmSpec } from '../targets/wasm/gemm/microkernel.js';
import { buildGemmModule, instantiateGemm, type GemmInstance } from '../targets/wasm/gemm/module.js';
import { packB, panelLayout } from '../targets/wasm/gemm/pack.js';

interface Shape {
  m: number;
  k: number;
  n: number;
}

const SHAPES: Shape[] = [
  { m: 512, k: 512, n: 512 },
  { m: 64, k: 512, n: 512 },
  { m: 1, k: 1280, n: 1000 },
];
const ROUNDS = 15;
/** Each timed sample runs at least this long, so timer resolution does not matter. */
const SAMPLE_MS = 20;
const WARMUP_MS = 1500;

interface Contestant {
  name: string;
  /** Runs one matmul of the given shape. */
  run(shapeIndex: number): void;
}

function parseArgs(): { tiles: { mr: number; nr: number }[]; unroll: number } {
  const args = process.argv.slice(2);
  let tiles: { mr: number; nr: number }[] = [{ mr: DEFAULT_TILE.mr, nr: DEFAULT_TILE.nr }];
  let unroll: number = DEFAULT_TILE.kUnroll;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--tiles') {
      tiles = args[++i].split(',').map((t) => {
        const [mr, nr] = t.split('x').map(Number);
        if (!(mr > 0 && nr > 0)) throw new Error(`--tiles: expected MRxNR like 4x8, got "${t}"`);
        return { mr, nr };
      });
    } else if (args[i] === '--unroll') {
      unroll = Number(args[++i]);
    } else {
      throw new Error(`bench/gemm.ts: unknown argument "${args[i]}" (expected --tiles or --unroll)`);
    }
  }
  return { tiles, unroll };
}

function randomValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** One compiled module per shape (K and N are build-time constants), inputs already in memory. */
async function tfcContestant(
  name: string,
  tiling: Pick<GemmSpec, 'mr' | 'nr' | 'kUnroll' | 'relaxedSimd'>,
  inputs: { a: Float32Array; b: Float32Array }[],
): Promise<Contestant> {
  const prepared: { instance: GemmInstance; args: [number, number, number, number] }[] = [];
  for (const [i, { m, k, n }] of SHAPES.entries()) {
    const packed = packB(inputs[i].b, panelLayout(k, n, tiling.nr));
    const aPtr = 64;
    const bPtr = align16(aPtr + m * k * 4);
    const cPtr = align16(bPtr + packed.length * 4);
    const { binary } = buildGemmModule({ k, n, ...tiling }, { initialBytes: cPtr + m * n * 4 });
    const instance = await instantiateGemm(binary);
    const heap = new Float32Array(instance.memory.buffer);
    heap.set(inputs[i].a, aPtr / 4);
    heap.set(packed, bPtr / 4);
    prepared.push({ instance, args: [aPtr, bPtr, cPtr, m] });
  }
  return {
    name,
    run(shapeIndex) {
      const { instance, args } = prepared[shapeIndex];
      instance.gemm(...args);
    },
  };
}

function tfjsContestant(inputs: { a: Float32Array; b: Float32Array }[]): Contestant {
  const tensors = SHAPES.map(({ m, k, n }, i) => ({ a: tf.tensor2d(inputs[i].a, [m, k]), b: tf.tensor2d(inputs[i].b, [k, n]) }));
  return {
    name: 'tfjs-wasm (XNNPACK)',
    run(shapeIndex) {
      const { a, b } = tensors[shapeIndex];
      tf.matMul(a, b).dispose();
    },
  };
}

/** Milliseconds per call, over as many calls as fit in SAMPLE_MS. */
function sample(run: () => void): number {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < SAMPLE_MS) {
    run();
    calls++;
    now = performance.now();
  }
  return (now - start) / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const { tiles, unroll } = parseArgs();
  setThreadsCount(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const inputs = SHAPES.map(({ m, k, n }, i) => ({ a: randomValues(m * k, 1 + i), b: randomValues(k * n, 100 + i) }));
  const relaxed = engineHasRelaxedSimd();
  const contestants: Contestant[] = [];
  for (const { mr, nr } of tiles) {
    contestants.push(await tfcContestant(`tfc ${mr}x${nr} mul+add`, { mr, nr, kUnroll: unroll, relaxedSimd: false }, inputs));
    if (relaxed) {
      contestants.push(await tfcContestant(`tfc ${mr}x${nr} relaxed`, { mr, nr, kUnroll: unroll, relaxedSimd: true }, inputs));
    }
  }
  contestants.push(tfjsContestant(inputs));

  // Warm-up: every function starts in V8's baseline tier and is swapped for
  // optimized code only on a later call, so run everything until it has tiered up.
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) for (const c of contestants) for (let s = 0; s < SHAPES.length; s++) sample(() => c.run(s));

  const times = contestants.map(() => SHAPES.map(() => [] as number[]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let s = 0; s < SHAPES.length; s++) {
      for (const [ci, c] of contestants.entries()) times[ci][s].push(sample(() => c.run(s)));
    }
  }

  const tfjsIndex = contestants.length - 1;
  const results = contestants.map((c, ci) => ({
    name: c.name,
    shapes: SHAPES.map((shape, s) => {
      const ms = median(times[ci][s]);
      const gflops = (2 * shape.m * shape.k * shape.n) / (ms * 1e6);
      return { ...shape, ms, gflops, vsTfjs: median(times[tfjsIndex][s]) / ms };
    }),
  }));

  const header = ['kernel', ...SHAPES.map(({ m, k, n }) => `${m}x${k}x${n}`)];
  const rows = results.map((r) => [
    r.name,
    ...r.shapes.map((s) => `${s.gflops.toFixed(1)} GF/s ${s.ms.toFixed(3)} ms x${s.vsTfjs.toFixed(2)}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`GEMM, one thread, median of ${ROUNDS} rounds (xN = speed relative to tfjs-wasm)`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const env = { node: process.version, relaxedSimd: relaxed, tfjsWasmSimd: simd, kUnroll: unroll };
  console.log(JSON.stringify({ env, results }, null, 2));
}

await main();
