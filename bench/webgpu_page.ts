/**
 * The page side of bench/webgpu.ts, bundled by esbuild into one script: tfc's
 * runtime (backend 'webgpu') and TF.js with its WebGPU backend, behind
 * `window.webgpuBench`, so that the timing loops run inside the page and the
 * DevTools round trip is never timed. Every prediction is end to end: inputs
 * from typed arrays in, outputs read back into typed arrays.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { loadModel, type ModelOutput, type TensorLike } from '../runtime/index.js';

export type PageEngine = 'tfc' | 'tfjs-webgpu';

/** An input as it crosses from Node: plain numbers. */
export interface PlainInput {
  dtype: 'f32' | 'i32';
  shape: number[];
  data: number[];
}

export interface AdapterReport {
  /** Vendor, architecture, device and description, as the adapter reports them. */
  name: string;
  /** SwiftShader or another fallback (CPU) adapter. */
  software: boolean;
}

export interface FirstRun {
  loadMs: number;
  firstMs: number;
  outputs: number[][];
}

export interface WebGpuBench {
  /** The adapter a page gets, after making TF.js's WebGPU backend current; a string says why there is none. */
  setup(): Promise<AdapterReport | string>;
  /** Loads a model (tfc: the bundle folder's URL; TF.js: model.json's URL) for `label` and runs it once on `inputs`. */
  load(engine: PageEngine, label: string, url: string, inputs: PlainInput[]): Promise<FirstRun>;
  /** Milliseconds per prediction over as many predictions as fit in `minMs` (at least one). */
  sample(engine: PageEngine, label: string, minMs: number): Promise<number>;
  dispose(label: string): void;
}

interface Loaded {
  predict(): Promise<Float32Array[]>;
  dispose(): void;
}

type Input = { data: Float32Array | Int32Array; shape: number[] };

function outputList(y: ModelOutput): TensorLike[] {
  if (Array.isArray(y)) return y;
  if ('data' in y && 'shape' in y) return [y as TensorLike];
  return Object.values(y);
}

async function loadTfc(url: string, inputs: Input[]): Promise<Loaded> {
  const m = await loadModel(url, { backend: 'webgpu' });
  return {
    predict: async () => outputList(await m.predict(inputs)).map((t) => Float32Array.from(t.data)),
    dispose: () => m.dispose(),
  };
}

async function loadTfjs(url: string, inputs: Input[]): Promise<Loaded> {
  const m = await tf.loadLayersModel(url);
  return {
    predict: async () => {
      const xs = inputs.map((x) => tf.tensor(x.data, x.shape, x.data instanceof Int32Array ? 'int32' : 'float32'));
      const raw = m.predict(xs.length === 1 ? xs[0] : xs);
      const ys = Array.isArray(raw) ? raw : [raw];
      const out = await Promise.all(ys.map(async (y) => Float32Array.from(await y.data())));
      tf.dispose([...xs, ...ys]);
      return out;
    },
    dispose: () => m.dispose(),
  };
}

const loaded = new Map<string, Loaded>();
const key = (engine: PageEngine, label: string): string => `${engine}:${label}`;

function find(engine: PageEngine, label: string): Loaded {
  const m = loaded.get(key(engine, label));
  if (!m) throw new Error(`${engine} has no model loaded for ${label}`);
  return m;
}

const bench: WebGpuBench = {
  async setup() {
    if (!navigator.gpu) return 'navigator.gpu is undefined (WebGPU is off in this browser)';
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return 'navigator.gpu.requestAdapter() returned null';
    if (!(await tf.setBackend('webgpu'))) return "TF.js could not initialize its 'webgpu' backend";
    await tf.ready();
    const info = adapter.info;
    const name = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unnamed adapter';
    // isFallbackAdapter moved from the adapter to its info; older browsers have only the former.
    const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
    return { name, software: fallback || /swiftshader/i.test(name) };
  },

  async load(engine, label, url, plain) {
    const inputs = plain.map((x) => ({ data: x.dtype === 'i32' ? Int32Array.from(x.data) : Float32Array.from(x.data), shape: x.shape }));
    const start = performance.now();
    const m = engine === 'tfc' ? await loadTfc(url, inputs) : await loadTfjs(url, inputs);
    const loadedAt = performance.now();
    const out = await m.predict();
    const firstMs = performance.now() - loadedAt;
    loaded.set(key(engine, label), m);
    return { loadMs: loadedAt - start, firstMs, outputs: out.map((o) => Array.from(o)) };
  },

  async sample(engine, label, minMs) {
    const m = find(engine, label);
    let calls = 0;
    const start = performance.now();
    let now = start;
    do {
      await m.predict();
      calls++;
      now = performance.now();
    } while (now - start < minMs);
    return (now - start) / calls;
  },

  dispose(label) {
    for (const engine of ['tfc', 'tfjs-webgpu'] as const) {
      loaded.get(key(engine, label))?.dispose();
      loaded.delete(key(engine, label));
    }
  },
};

(window as unknown as { webgpuBench: WebGpuBench }).webgpuBench = bench;
document.body.dataset.state = 'ready';
