/**
 * WebGPU for Node through Dawn (npm `webgpu`): the GPU object `tfc predict
 * --backend webgpu` and the tests hand to the runtime. The system's Vulkan
 * driver is tried first; without an adapter there, Chromium's SwiftShader
 * (Debian's `chromium` package) runs WebGPU on the CPU. When neither works,
 * or the optional `webgpu` package is not installed (dawn_package.ts), the
 * reason says what to install. The drivers' and Dawn's own diagnostics
 * on stderr are kept out of the process (vulkan_environment.ts,
 * system_adapter_probe.ts) unless `verbose` asks for them.
 */
import { existsSync } from 'node:fs';
import { findDawnPackage } from './dawn_package.js';
import { probeSystemAdapter } from './system_adapter_probe.js';
import { prepareVulkanEnvironment } from './vulkan_environment.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export type NodeGpu = { gpu: GPU; adapter: string } | { gpu: undefined; reason: string };

let found: Promise<NodeGpu> | undefined;

async function adapterName(gpu: GPU): Promise<string | undefined> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) return undefined;
  const info = adapter.info;
  return [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s).join(' ') || 'unnamed adapter';
}

export interface NodeGpuOptions {
  /** Let the drivers' and Dawn's diagnostics through to stderr. */
  verbose?: boolean;
}

async function findGpu({ verbose = false }: NodeGpuOptions): Promise<NodeGpu> {
  const dawn = findDawnPackage();
  if ('reason' in dawn) return { gpu: undefined, reason: dawn.reason };
  prepareVulkanEnvironment();
  // The probe (a second Node with Dawn) overlaps with loading Dawn here.
  const probing = probeSystemAdapter(dawn.url, verbose);
  let create: (options: string[]) => GPU;
  try {
    ({ create } = (await import(dawn.url)) as typeof import('webgpu'));
  } catch (e) {
    return { gpu: undefined, reason: `the 'webgpu' package (Dawn for Node) does not load here: ${(e as Error).message}` };
  }
  try {
    const probe = await probing;
    if ('failed' in probe) return { gpu: undefined, reason: `Dawn failed while looking for a WebGPU adapter: ${probe.failed}` };
    if (probe.adapter) {
      const system = create([]);
      const name = await adapterName(system);
      if (name !== undefined) return { gpu: system, adapter: name };
    }
    if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
      // SwiftShader zero-fills workgroup memory (VK_KHR_zero_initialize_workgroup_memory) with one
      // store per element in the compiled pipeline, so a tiled GEMM's 8 KiB of tiles costs ~20 s
      // to compile; Dawn's own zero-fill (a loop in the shader) is the same semantics and costs ~0.5 s.
      const software = create(['backend=vulkan', 'disable-dawn-features=use_vulkan_zero_initialize_workgroup_memory_extension']);
      const softwareName = await adapterName(software);
      if (softwareName !== undefined) return { gpu: software, adapter: softwareName };
    }
  } catch (e) {
    return { gpu: undefined, reason: `Dawn found no WebGPU adapter: ${(e as Error).message}` };
  }
  return {
    gpu: undefined,
    reason: `Dawn found no WebGPU adapter (no GPU driver, and no SwiftShader at ${SWIFTSHADER_ICD}: install Debian's 'chromium' and 'libvulkan1' packages)`,
  };
}

/** The Node WebGPU entry point, found once per process (the first call's options apply). */
export function nodeGpu(options: NodeGpuOptions = {}): Promise<NodeGpu> {
  found ??= findGpu(options);
  return found;
}
