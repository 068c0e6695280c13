/**
 * WebGPU benchmark: tfc's webgpu backend vs TensorFlow.js 4.22's WebGPU
 * backend, in ONE headless Chromium page, on the same weights.
 *
 *   npx tsx bench/webgpu.ts                     # SwiftShader (CPU) WebGPU: checks the bench, measures nothing real
 *   npx tsx bench/webgpu.ts --gpu               # the machine's GPU (refuses a software adapter)
 *   npx tsx bench/webgpu.ts --budget 5          # seconds of timed rounds per case (default 15)
 *   npx tsx bench/webgpu.ts --only cnn          # cases whose label contains this text
 *   npx tsx bench/webgpu.ts --chromium /opt/google/chrome/chrome   # another Chromium build
 *
 * The page script (bench/webgpu_page.ts: tfc's runtime + TF.js with
 * @tensorflow/tfjs-backend-webgpu) is bundled by esbuild and served from
 * 127.0.0.1 with the bundles (`tfc build --target webgpu`, in process) and
 * the TF.js model.json files they were built from. Per case each engine
 * loads the model and predicts once (load + first prediction), outputs are
 * checked against tfc's, every engine warms up, then rounds run the engines
 * round-robin (the starting engine rotates), each sample timing predictions
 * inside the page for at least SAMPLE_MS. The table shows medians and
 * `xN` = TF.js time / tfc time.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildCommand } from '../driver/cli/build.js';
import { startServer } from '../examples/web/serve.mjs';
import { mobileNetV2 } from '../examples/mobilenet_v2/model.js';
import { KERAS_SUITE, REAL_SUITE, REAL_SUITE_MISSING, conformanceInputs, countParams, largeMlp, randomInput, type BenchInput } from './model_cases.js';
import type { AdapterReport, FirstRun, PageEngine, PlainInput, WebGpuBench } from './webgpu_page.js';

const ENGINES: readonly PageEngine[] = ['tfc', 'tfjs-webgpu'];
/** Each timed sample runs at least this long inside the page. */
const SAMPLE_MS = 50;
const WARMUP_MS = 1000;
const MIN_ROUNDS = 3;
const MAX_ROUNDS = 31;
const SETUP_TIMEOUT_MS = 60_000;
/** The sanity check's tolerance on |TF.js - tfc|: loose, the engines sum in different orders. */
const CHECK_ATOL = 1e-3;
const CHECK_RTOL = 1e-2;

const CHROMIUM = '/usr/bin/chromium';
const BASE_ARGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** WebGPU on SwiftShader's Vulkan: runs anywhere, on the CPU. */
const SWIFTSHADER_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'];
/** WebGPU on the machine's GPU driver: Vulkan on Linux, with no window surface in headless mode, past Chromium's GPU blocklist. */
const GPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface', '--ignore-gpu-blocklist'];

interface Options {
  budgetMs: number;
  only?: string;
  gpu: boolean;
  chromium: string;
}

interface WebGpuCase {
  label: string;
  batch: number;
  params: number;
  /** Bytes of the bundle's model.wgsl. */
  wgslBytes: number;
  /** URL paths of the tfc bundle folder and of the TF.js model.json, on the bench's server. */
  bundleUrl: string;
  modelJsonUrl: string;
  inputs: BenchInput[];
}

interface EngineResult {
  /** Median milliseconds per prediction. */
  ms: number;
  /** This engine's time / tfc's time. */
  vsTfc: number;
  loadMs: number;
  firstMs: number;
  maxAbsDiff: number;
  matches: boolean;
}

interface CaseResult {
  label: string;
  params: number;
  batch: number;
  wgslBytes: number;
  rounds: number;
  engines: Record<PageEngine, EngineResult>;
}

function parseArgs(): Options {
  const args = process.argv.slice(2);
  const options: Options = { budgetMs: 15_000, gpu: false, chromium: CHROMIUM };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--budget') {
      options.budgetMs = Number(args[++i]) * 1000;
      if (!(options.budgetMs > 0)) throw new Error(`--budget: expected seconds > 0, got "${args[i]}"`);
    } else if (args[i] === '--only') {
      options.only = args[++i];
    } else if (args[i] === '--gpu') {
      options.gpu = true;
    } else if (args[i] === '--chromium') {
      options.chromium = args[++i];
    } else {
      throw new Error(`bench/webgpu.ts: unknown argument "${args[i]}" (expected --budget, --only, --gpu or --chromium)`);
    }
  }
  return options;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const geomean = (values: number[]): number => Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);

/** Builds `modelJson` into a webgpu bundle at `outDir` (the CLI's own build, in process); returns model.wgsl's size. */
async function buildWebGpuBundle(modelJson: string, outDir: string): Promise<number> {
  await buildCommand(modelJson, { target: 'webgpu', out: outDir });
  const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as {
    targets: { webgpu: { file: string } };
    files: Record<string, { bytes: number }>;
  };
  return manifest.files[manifest.targets.webgpu.file].bytes;
}

/**
 * The cases whose label contains `only`: bundles built under work/bundles,
 * DSL models saved (only when a case needs them) under work/tfjs; `routes`
 * gains each model.json's folder.
 */
async function prepareCases(work: string, routes: Record<string, string>, only: string | undefined): Promise<WebGpuCase[]> {
  const cases: WebGpuCase[] = [];
  const add = async (name: string, modelJsonOf: () => Promise<string>, all: { batch: number; inputs: BenchInput[] }[]): Promise<void> => {
    const batches = all.filter(({ batch }) => only === undefined || `${name}@b${batch}`.includes(only));
    if (batches.length === 0) return;
    const modelJson = await modelJsonOf();
    const start = performance.now();
    const wgslBytes = await buildWebGpuBundle(modelJson, path.join(work, 'bundles', name));
    log(`built ${name}: model.wgsl ${wgslBytes} bytes in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    routes[`/models/${name}/`] = path.dirname(modelJson);
    const params = await countParams(modelJson);
    for (const { batch, inputs } of batches) {
      cases.push({ label: `${name}@b${batch}`, batch, params, wgslBytes, bundleUrl: `/bundles/${name}/`, modelJsonUrl: `/models/${name}/${path.basename(modelJson)}`, inputs });
    }
  };
  /** A conformance model at batch 1 on its first sample's first row, and at the extra batches `more` makes from that row. */
  const conformance = async (suite: 'keras' | 'real', name: string, more: (row: BenchInput) => { batch: number; inputs: BenchInput[] }[] = () => []): Promise<void> => {
    if (suite === 'real' && !existsSync(REAL_SUITE)) return log(`${name}: ${REAL_SUITE_MISSING}`);
    const dir = path.join(suite === 'keras' ? KERAS_SUITE : REAL_SUITE, name);
    const [row] = await conformanceInputs(dir);
    await add(name, async () => path.join(dir, 'model.json'), [{ batch: 1, inputs: [row] }, ...more(row)]);
  };

  await conformance('keras', 'dense_mlp', (row) => [{ batch: 64, inputs: [randomInput([64, ...row.shape.slice(1)], 64)] }]);
  await add('mlp_784_512_512_10', () => largeMlp().save(path.join(work, 'tfjs', 'mlp_784_512_512_10')), [
    { batch: 1, inputs: [randomInput([1, 784], 1, 0, 1)] },
    { batch: 64, inputs: [randomInput([64, 784], 2, 0, 1)] },
  ]);
  await conformance('keras', 'mnist_cnn');
  await conformance('real', 'quickdraw-cnn');
  await add('mobilenetv2_1.00_224', () => mobileNetV2().save(path.join(work, 'tfjs', 'mobilenetv2_1.00_224')), [
    { batch: 1, inputs: [randomInput([1, 224, 224, 3], 3)] },
  ]);
  return cases;
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>tfc vs TF.js WebGPU</title>
<body><script type="module" src="/page.js"></script></body>`;

/** Calls into the page's `webgpuBench`; arguments cross as JSON. */
class BenchPage {
  private readonly errors: string[] = [];

  constructor(private readonly page: Page) {
    page.on('pageerror', (e) => this.errors.push(e.message));
  }

  private call<M extends keyof WebGpuBench>(method: M, ...args: Parameters<WebGpuBench[M]>): Promise<Awaited<ReturnType<WebGpuBench[M]>>> {
    return this.page.evaluate<Awaited<ReturnType<WebGpuBench[M]>>>(`webgpuBench.${method}(...${JSON.stringify(args)})`).catch((e: Error) => {
      throw new Error(`${e.message}${this.errors.length ? `\npage errors: ${this.errors.join('\n')}` : ''}`);
    });
  }

  /** The page's adapter; a GPU process that fails to start leaves requestAdapter() pending, so this gives up after a while. */
  setup(): Promise<AdapterReport | string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer from navigator.gpu.requestAdapter() in ${SETUP_TIMEOUT_MS / 1000} s (did the GPU process start?)`), SETUP_TIMEOUT_MS);
    });
    return Promise.race([this.call('setup'), timeout]).finally(() => clearTimeout(timer));
  }

  load(engine: PageEngine, c: WebGpuCase): Promise<FirstRun> {
    const inputs: PlainInput[] = c.inputs.map((x) => ({ dtype: x.data instanceof Int32Array ? 'i32' : 'f32', shape: x.shape, data: Array.from(x.data) }));
    return this.call('load', engine, c.label, engine === 'tfc' ? c.bundleUrl : c.modelJsonUrl, inputs);
  }

  sample(engine: PageEngine, label: string): Promise<number> {
    return this.call('sample', engine, label, SAMPLE_MS);
  }

  dispose(label: string): Promise<void> {
    return this.call('dispose', label);
  }
}

function compare(actual: number[][], expected: number[][]): { maxAbsDiff: number; matches: boolean } {
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

async function runCase(page: BenchPage, c: WebGpuCase, budgetMs: number): Promise<CaseResult> {
  const first = new Map<PageEngine, FirstRun>();
  for (const engine of ENGINES) first.set(engine, await page.load(engine, c));
  const reference = first.get('tfc')!.outputs;

  const estimate = new Map<PageEngine, number>();
  for (const engine of ENGINES) {
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 2 || performance.now() - start < WARMUP_MS) times.push(await page.sample(engine, c.label));
    estimate.set(engine, Math.min(...times));
  }
  const roundMs = ENGINES.reduce((n, e) => n + Math.max(estimate.get(e)!, SAMPLE_MS), 0);
  const rounds = Math.max(MIN_ROUNDS, Math.min(MAX_ROUNDS, Math.floor(budgetMs / roundMs)));

  const times = new Map<PageEngine, number[]>(ENGINES.map((e) => [e, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < ENGINES.length; k++) {
      const engine = ENGINES[(r + k) % ENGINES.length];
      times.get(engine)!.push(await page.sample(engine, c.label));
    }
  }
  await page.dispose(c.label);

  const tfcMs = median(times.get('tfc')!);
  const engines = Object.fromEntries(
    ENGINES.map((engine) => {
      const ms = median(times.get(engine)!);
      const { loadMs, firstMs, outputs } = first.get(engine)!;
      return [engine, { ms, vsTfc: ms / tfcMs, loadMs, firstMs, ...compare(outputs, reference) }];
    }),
  ) as Record<PageEngine, EngineResult>;
  return { label: c.label, params: c.params, batch: c.batch, wgslBytes: c.wgslBytes, rounds, engines };
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function printTable(results: CaseResult[], adapter: AdapterReport): void {
  const header = ['case', 'params', ...ENGINES.map((e) => `${e} ms`), 'tfjs/tfc', ...ENGINES.map((e) => `${e} load+first ms`), 'check'];
  const rows = results.map((r) => [
    r.label,
    String(r.params),
    ...ENGINES.map((e) => formatMs(r.engines[e].ms)),
    `x${r.engines['tfjs-webgpu'].vsTfc.toFixed(2)}`,
    ...ENGINES.map((e) => `${formatMs(r.engines[e].loadMs)}+${formatMs(r.engines[e].firstMs)}`),
    ENGINES.every((e) => r.engines[e].matches) ? 'ok' : `MISMATCH (${ENGINES.filter((e) => !r.engines[e].matches).join(', ')})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`WebGPU in Chromium on '${adapter.name}', median ms per prediction end to end (xN = TF.js time / tfc time)`);
  if (adapter.software) console.log('SOFTWARE ADAPTER (CPU): these timings are not GPU performance; run with --gpu on a machine with a GPU.');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const options = parseArgs();
  const work = await mkdtemp(path.join(os.tmpdir(), 'tfc-bench-webgpu-'));
  let browser: Browser | undefined;
  let server: Server | undefined;
  try {
    const site = path.join(work, 'site');
    await mkdir(site, { recursive: true });
    await writeFile(path.join(site, 'index.html'), PAGE);
    await esbuild.build({
      entryPoints: [path.join(import.meta.dirname, 'webgpu_page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      // The runtime reads files with node:fs only in Node; a page fetches them.
      external: ['node:*'],
      outfile: path.join(site, 'page.js'),
      logLevel: 'warning',
    });
    const routes: Record<string, string> = { '/': site, '/bundles/': path.join(work, 'bundles') };
    const cases = await prepareCases(work, routes, options.only);
    if (cases.length === 0) throw new Error(`bench/webgpu.ts: no case matches --only "${options.only}"`);
    let url: string;
    ({ server, url } = await startServer(routes));
    browser = await chromium.launch({ executablePath: options.chromium, args: [...BASE_ARGS, ...(options.gpu ? GPU_ARGS : SWIFTSHADER_ARGS)], timeout: 60_000 });
    const tab = await browser.newPage();
    await tab.goto(url);
    await tab.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 30_000 });
    const page = new BenchPage(tab);
    const adapter = await page.setup();
    if (typeof adapter === 'string') throw new Error(`bench/webgpu.ts: no WebGPU in ${options.chromium}: ${adapter}`);
    if (options.gpu && adapter.software) throw new Error(`bench/webgpu.ts --gpu: Chromium's adapter is a software one ('${adapter.name}'): no usable GPU driver`);
    log(`adapter: ${adapter.name}${adapter.software ? ' (software: timings are not GPU performance)' : ''}`);

    const results: CaseResult[] = [];
    for (const c of cases) {
      const start = performance.now();
      results.push(await runCase(page, c, options.budgetMs));
      log(`${c.label}: ${results[results.length - 1].rounds} rounds in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }
    printTable(results, adapter);
    const env = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      adapter: adapter.name,
      softwareAdapter: adapter.software,
      node: process.version,
      cpus: os.availableParallelism(),
      loadAverage: os.loadavg(),
    };
    const summary = { geomeanTfjsOverTfc: geomean(results.map((r) => r.engines['tfjs-webgpu'].vsTfc)) };
    console.log(JSON.stringify({ env, summary, results }, null, 2));
    if (results.some((r) => ENGINES.some((e) => !r.engines[e].matches))) {
      log('bench/webgpu.ts: TF.js disagrees with tfc beyond the check tolerance (see "check")');
      process.exitCode = 1;
    }
  } finally {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(work, { recursive: true, force: true });
  }
}

await main();
