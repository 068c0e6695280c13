/**
 * What the browser tests share: Debian's Chromium launched headless through
 * playwright-core (WebGPU on SwiftShader when asked), a page served from
 * 127.0.0.1 that loads bundles through their generated index.js (which
 * imports the runtime copied into the bundle: no import map), and the
 * conformance-case helpers the tests use.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { onCi } from '../helpers/ci.js';
import { listConformanceCases, type ConformanceCase } from '../helpers/conformance.js';

export const CHROMIUM = '/usr/bin/chromium';
const BASE_ARGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** WebGPU on SwiftShader's Vulkan (the CPU): works on a machine without a GPU. */
export const SWIFTSHADER_WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'];

/** Why the browser tests skip here, or '' when they run: a missing Chromium skips them, except under CI=true where it fails them. */
export const chromiumSkipReason =
  existsSync(CHROMIUM) || onCi ? '' : `${CHROMIUM} not found (npm test installs Debian's chromium as root or with passwordless sudo)`;
// The default reporter does not name skipped suites; this line shows the reason in any case.
if (chromiumSkipReason) console.warn(`browser tests skipped: ${chromiumSkipReason}`);

/** Starts Chromium; a missing browser is an error saying what to do (CI installs Chromium in .ci/run). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
  }
  return chromium
    .launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extraArgs], timeout: 60_000 })
    .catch((e: Error) => {
      throw new Error(`cannot start ${CHROMIUM}: ${e.message}`);
    });
}

/**
 * The test page: one function that loads a bundle (once per bundle and load
 * options) and predicts. Bundles bring their own runtime, so no import map.
 */
export const PREDICT_PAGE = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module">
  const models = new Map();
  window.tfcLoad = async (bundle, options) => {
    const key = bundle + ':' + JSON.stringify(options);
    if (!models.has(key)) models.set(key, import('/bundles/' + bundle + '/index.js').then((m) => m.loadModel(options)));
    return models.get(key);
  };
  window.tfcPredict = async (bundle, inputs, options) => {
    const model = await tfcLoad(bundle, options);
    const outputs = await model.predict(inputs.map((t) => ({ data: Float32Array.from(t.data), shape: t.shape })));
    return { summary: model.summary(), outputs: outputs.map((t) => ({ shape: t.shape, data: Array.from(t.data) })) };
  };
  window.webgpuAdapter = async () => {
    if (!navigator.gpu) return 'navigator.gpu is undefined (WebGPU is off in this Chromium)';
    const adapter = await navigator.gpu.requestAdapter();
    return adapter ? '' : 'navigator.gpu.requestAdapter() returned null';
  };
  document.body.dataset.state = 'ready';
</script>
<body></body>`;

interface PlainTensor {
  shape: number[];
  data: number[];
}

/** The predict page open in a browser tab, with every page error and console error it reports. */
export class PredictPage {
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
  }

  /** Opens PREDICT_PAGE, served at `url`, in a new tab of `browser`. */
  static async open(browser: Browser, url: string): Promise<PredictPage> {
    const p = new PredictPage(await browser.newPage());
    await p.page.goto(url);
    await p.page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 20_000 });
    return p;
  }

  /** Why the page has no WebGPU adapter, or '' when it has one. */
  webgpuMissing(): Promise<string> {
    return this.page.evaluate<string>('webgpuAdapter()');
  }

  /** Loads the bundle served at /bundles/<bundle>/ with these load options, ahead of its first prediction. */
  async load(bundle: string, options: Record<string, unknown>): Promise<void> {
    await this.page.evaluate(`tfcLoad(...${JSON.stringify([bundle, options])}).then(() => undefined)`).catch((e: Error) => {
      throw new Error(`${e.message}\npage errors: ${this.errors.join('\n') || 'none'}`);
    });
  }

  /**
   * Runs the bundle served at /bundles/<bundle>/ on f32 inputs with these
   * load options; float32 values survive the trip as doubles exactly.
   */
  async predict<S>(bundle: string, inputs: Tensor[], options: Record<string, unknown>): Promise<{ summary: S; outputs: Tensor[] }> {
    const args = JSON.stringify([bundle, inputs.map((t) => ({ shape: t.shape, data: Array.from(t.data) })), options]);
    const result = await this.page.evaluate<{ summary: S; outputs: PlainTensor[] }>(`tfcPredict(...${args})`).catch((e: Error) => {
      throw new Error(`${e.message}\npage errors: ${this.errors.join('\n') || 'none'}`);
    });
    return { summary: result.summary, outputs: result.outputs.map((t) => ({ dtype: 'f32', shape: t.shape, data: Float32Array.from(t.data) })) };
  }
}

export const conformanceCase = (key: string): ConformanceCase => {
  const c = listConformanceCases().find((x) => `${x.suite}/${x.name}` === key);
  if (!c) throw new Error(`conformance case ${key} not found`);
  return c;
};

/** A folder name for the bundle of a case key such as 'keras/dense_mlp'. */
export const bundleName = (key: string): string => key.replace('/', '-');

/** Tensors joined along the batch (first) axis. */
export function concatBatch(parts: Tensor[]): Tensor {
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { dtype: 'f32', shape: [parts.reduce((n, p) => n + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}
