/**
 * A standalone module holding one GEMM function, exported as `gemm` together
 * with its growable memory `memory`. Tests and the benchmark load it directly;
 * the whole-model codegen instead calls emitGemm on its own module.
 */
import { createModule, emitBytes, optimizeModule } from '../binaryen.js';
import { emitGemm, type GemmSpec } from './microkernel.js';

export interface GemmModule {
  binary: Uint8Array<ArrayBuffer>;
  /** The optimized module in WebAssembly text form, for inspection. */
  text: string;
}

/** WASM pages are 64 KiB. */
const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;

export function buildGemmModule(spec: GemmSpec, options: { initialBytes?: number; optimize?: boolean } = {}): GemmModule {
  const module = createModule({ relaxedSimd: spec.relaxedSimd });
  try {
    const pages = Math.max(1, Math.ceil((options.initialBytes ?? 0) / PAGE_BYTES));
    module.setMemory(pages, MAX_PAGES, 'memory');
    emitGemm(module, 'gemm', spec);
    module.addFunctionExport('gemm', 'gemm');
    if (!module.validate()) throw new Error(`GEMM ${spec.k}x${spec.n}: emitted module failed validation`);
    if (options.optimize ?? true) optimizeModule(module);
    return { binary: emitBytes(module), text: module.emitText() };
  } finally {
    module.dispose();
  }
}

/** The exports of an instantiated GEMM module. */
export interface GemmInstance {
  memory: WebAssembly.Memory;
  gemm: (a: number, b: number, c: number, m: number) => void;
}

export async function instantiateGemm(binary: Uint8Array<ArrayBuffer>): Promise<GemmInstance> {
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(binary));
  return instance.exports as unknown as GemmInstance;
}
