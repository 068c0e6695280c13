/**
 * The WebGPU backend: one device per loaded model. At load every kernel
 * module is compiled (its compilation messages checked) and its pipeline made
 * with createComputePipelineAsync, and the weight pages are uploaded. A
 * prediction sizes the arena for its batch (bind groups are made once per
 * batch size and kept), writes the inputs, records every dispatch of the
 * bundle's static list into one command buffer that ends by copying the
 * outputs to a readback buffer, and maps that buffer once. Validation and
 * out-of-memory errors and device loss become errors, never hangs or zeros.
 */
import { BundleError, DeviceLostError } from './errors.js';
import { LimitError, formatBytes } from './limits.js';
import { WGSL_KERNEL_MARKER, evalAffine, type GpuRange, type TensorSpec, type WebGpuTarget } from './manifest.js';
import type { TensorData } from './wasm.js';

// GPUBufferUsage / GPUShaderStage / GPUMapMode values, so the runtime needs no globals from a WebGPU implementation.
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;
const COMPUTE = 0x4;
const MAP_MODE_READ = 0x1;
/** Uniform slots are this far apart (the largest minUniformBufferOffsetAlignment WebGPU allows). */
const SLOT_BYTES = 256;
const MAX_WORKGROUPS = 65535;

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

function elementCount(spec: TensorSpec, batch: number): number {
  return spec.shape.reduce<number>((n, d) => n * (d === 'N' ? batch : d), 1);
}

/** The modules of the WGSL file, in kernel order. */
export function splitKernels(text: string, count: number, where: string): string[] {
  const parts = text.split(WGSL_KERNEL_MARKER).slice(1);
  const modules: string[] = [];
  for (const part of parts) {
    const newline = part.indexOf('\n');
    const index = Number(part.slice(0, newline));
    if (index !== modules.length) throw new BundleError(`${where}: kernel ${modules.length} is missing from the WGSL file`);
    modules.push(part.slice(newline + 1));
  }
  if (modules.length !== count) throw new BundleError(`${where}: the WGSL file has ${modules.length} kernels, the manifest ${count}`);
  return modules;
}

interface BatchState {
  batch: number;
  groups: GPUBindGroup[];
  counts: [number, number, number][];
  readback: GPUBuffer;
  outputAt: number[];
}

export class WebGpuExecutor {
  private arena: GPUBuffer | undefined;
  private state: BatchState | undefined;
  private lost: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    private readonly target: WebGpuTarget,
    private readonly pipelines: GPUComputePipeline[],
    private readonly pages: GPUBuffer[],
    private readonly params: GPUBuffer,
    private readonly inputs: TensorSpec[],
    private readonly outputs: TensorSpec[],
  ) {
    void device.lost.then((info) => {
      this.lost = info.message || String(info.reason);
    });
  }

  static async create(
    gpu: GPU,
    wgsl: string,
    weights: Uint8Array<ArrayBuffer>,
    target: WebGpuTarget,
    signature: { inputs: TensorSpec[]; outputs: TensorSpec[] },
    where: string,
  ): Promise<WebGpuExecutor> {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new BundleError(`bundle ${where}: no WebGPU adapter is available (use the wasm backend)`);
    const limits = adapter.limits;
    const needBindings = Math.max(0, ...target.kernels.map((k) => k.bindings.length));
    if (needBindings > limits.maxStorageBuffersPerShaderStage) {
      throw new BundleError(`bundle ${where}: a kernel binds ${needBindings} storage buffers; this adapter allows ${limits.maxStorageBuffersPerShaderStage}`);
    }
    const largestPage = Math.max(0, ...target.weights.pages.map((p) => p.bytes));
    if (largestPage > limits.maxStorageBufferBindingSize) {
      throw new BundleError(`bundle ${where}: a weight of ${largestPage} bytes exceeds this adapter's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize})`);
    }
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      },
    });
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s).join(' ') || 'WebGPU adapter';
    try {
      return await WebGpuExecutor.prepareModel(device, name, wgsl, weights, target, signature, where);
    } catch (e) {
      // A model that fails to load must not keep the device (and its memory) alive.
      device.destroy();
      throw e;
    }
  }

  private static async prepareModel(
    device: GPUDevice,
    name: string,
    wgsl: string,
    weights: Uint8Array<ArrayBuffer>,
    target: WebGpuTarget,
    signature: { inputs: TensorSpec[]; outputs: TensorSpec[] },
    where: string,
  ): Promise<WebGpuExecutor> {
    device.pushErrorScope('validation');
    const modules = splitKernels(wgsl, target.kernels.length, `bundle ${where}`);
    const pipelines = await Promise.all(
      modules.map(async (code, k) => {
        const module = device.createShaderModule({ code, label: `kernel ${k}` });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === 'error');
        if (errors.length > 0) {
          throw new BundleError(`bundle ${where}: WGSL kernel ${k} does not compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
        }
        const layout = device.createBindGroupLayout({
          entries: [
            { binding: 0, visibility: COMPUTE, buffer: { type: 'uniform' } },
            ...target.kernels[k].bindings.map((type, i) => ({ binding: i + 1, visibility: COMPUTE, buffer: { type } })),
          ],
        });
        return device.createComputePipelineAsync({
          label: `kernel ${k}`,
          layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
          compute: { module, entryPoint: 'main' },
        });
      }),
    );
    const pages = target.weights.pages.map((p, i) => {
      const buffer = device.createBuffer({ label: `weights page ${i}`, size: Math.max(4, up4(p.bytes)), usage: STORAGE | COPY_DST | COPY_SRC });
      device.queue.writeBuffer(buffer, 0, weights, p.offset, up4(p.bytes));
      return buffer;
    });
    const params = device.createBuffer({ label: 'params', size: SLOT_BYTES * Math.max(1, target.steps), usage: UNIFORM | COPY_DST });
    const problem = await device.popErrorScope();
    if (problem) throw new BundleError(`bundle ${where}: the WebGPU device refused the model: ${problem.message}`);
    const executor = new WebGpuExecutor(device, name, target, pipelines, pages, params, signature.inputs, signature.outputs);
    const zeros = signature.inputs.map((s) => (s.dtype === 'f32' ? new Float32Array(elementCount(s, 1)) : new Int32Array(elementCount(s, 1))));
    await executor.execute(zeros, 1);
    return executor;
  }

  private buffer(r: GpuRange): GPUBuffer {
    return r.space === 'arena' ? (this.arena as GPUBuffer) : this.pages[r.page];
  }

  /** Sizes the arena and makes the bind groups for this batch size (kept until the batch size changes). */
  private prepare(batch: number): BatchState {
    if (this.state?.batch === batch) return this.state;
    // Dropped first: if this batch fails a limit below, no half-made state is kept.
    this.state?.readback.destroy();
    this.state = undefined;
    const device = this.device;
    const need = Math.max(256, up4(evalAffine(this.target.arenaBytes, batch)));
    if (need > device.limits.maxBufferSize) {
      throw new LimitError(
        `batch ${batch} needs a ${formatBytes(need)} activation buffer; this GPU's maxBufferSize is ${formatBytes(device.limits.maxBufferSize)} — split the batch`,
      );
    }
    if (!this.arena || this.arena.size < need) {
      this.arena?.destroy();
      this.arena = device.createBuffer({ label: 'arena', size: need, usage: STORAGE | COPY_DST | COPY_SRC });
    }
    const slots = new Uint32Array((SLOT_BYTES / 4) * Math.max(1, this.target.steps));
    for (let s = 0; s < Math.max(1, this.target.steps); s++) {
      slots[(s * SLOT_BYTES) / 4] = batch;
      slots[(s * SLOT_BYTES) / 4 + 1] = s;
    }
    device.queue.writeBuffer(this.params, 0, slots);
    const maxBinding = device.limits.maxStorageBufferBindingSize;
    const groups = this.target.dispatches.map((d) =>
      device.createBindGroup({
        layout: this.pipelines[d.kernel].getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.params, offset: d.step * SLOT_BYTES, size: 8 } },
          ...d.bindings.map((r, i) => {
            const size = Math.max(4, up4(evalAffine(r.size, batch)));
            if (size > maxBinding) {
              throw new LimitError(
                `batch ${batch} makes a ${formatBytes(size)} tensor in ${d.label}; this GPU's maxStorageBufferBindingSize is ${formatBytes(maxBinding)} — split the batch`,
              );
            }
            return { binding: i + 1, resource: { buffer: this.buffer(r), offset: evalAffine(r.offset, batch), size } };
          }),
        ],
      }),
    );
    const counts = this.target.dispatches.map((d): [number, number, number] => {
      const axes = d.grid.map((g) => Math.ceil((g.base + g.perBatch * batch) / g.per));
      if (axes.length === 1 && axes[0] > MAX_WORKGROUPS) {
        const y = Math.ceil(axes[0] / MAX_WORKGROUPS);
        return [Math.ceil(axes[0] / y), y, 1];
      }
      if (axes.some((a) => a > MAX_WORKGROUPS)) {
        throw new LimitError(`batch ${batch} needs more than ${MAX_WORKGROUPS} workgroups along an axis in ${d.label} — split the batch`);
      }
      return [axes[0] ?? 1, axes[1] ?? 1, axes[2] ?? 1];
    });
    const outputAt: number[] = [];
    let total = 0;
    for (const r of this.target.outputs) {
      outputAt.push(total);
      total += up4(evalAffine(r.size, batch));
    }
    if (total > device.limits.maxBufferSize) {
      throw new LimitError(`batch ${batch} needs ${formatBytes(total)} of outputs; this GPU's maxBufferSize is ${formatBytes(device.limits.maxBufferSize)} — split the batch`);
    }
    const readback = device.createBuffer({ label: 'readback', size: Math.max(4, total), usage: MAP_READ | COPY_DST });
    this.state = { batch, groups, counts, readback, outputAt };
    return this.state;
  }

  /** Runs the model on inputs already checked against the signature; predictions run one at a time. */
  execute(data: TensorData[], batch: number): Promise<TensorData[]> {
    const run = this.queue.then(() => this.run(data, batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkLost(): void {
    if (this.lost !== undefined) throw new DeviceLostError(`the WebGPU device was lost (${this.lost}); load the model again`);
  }

  private async run(data: TensorData[], batch: number): Promise<TensorData[]> {
    this.checkLost();
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let state: BatchState;
    try {
      state = this.prepare(batch);
    } catch (e) {
      // A batch over a limit leaves the device as it was: no scope left pushed.
      await device.popErrorScope();
      await device.popErrorScope();
      throw e;
    }
    const arena = this.arena as GPUBuffer;
    data.forEach((d, i) => device.queue.writeBuffer(arena, evalAffine(this.target.inputs[i].offset, batch), d.buffer, d.byteOffset, d.byteLength));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.target.dispatches.forEach((d, i) => {
      const [x, y, z] = state.counts[i];
      if (x === 0 || y === 0 || z === 0) return;
      pass.setPipeline(this.pipelines[d.kernel]);
      pass.setBindGroup(0, state.groups[i]);
      pass.dispatchWorkgroups(x, y, z);
    });
    pass.end();
    this.target.outputs.forEach((r, j) => {
      const size = up4(evalAffine(r.size, batch));
      if (size > 0) encoder.copyBufferToBuffer(this.buffer(r), evalAffine(r.offset, batch), state.readback, state.outputAt[j], size);
    });
    device.queue.submit([encoder.finish()]);
    const invalid = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (invalid || oom) throw new BundleError(`the WebGPU device rejected the prediction: ${(invalid ?? oom)?.message}`);
    try {
      await state.readback.mapAsync(MAP_MODE_READ);
    } catch (e) {
      this.checkLost();
      throw e;
    }
    const bytes = state.readback.getMappedRange();
    const out = this.outputs.map((spec, j) => {
      const count = elementCount(spec, batch);
      return spec.dtype === 'f32' ? new Float32Array(bytes, state.outputAt[j], count).slice() : new Int32Array(bytes, state.outputAt[j], count).slice();
    });
    state.readback.unmap();
    return out;
  }

  /** Frees the GPU buffers and the device. */
  dispose(): void {
    this.arena?.destroy();
    this.state?.readback.destroy();
    for (const p of this.pages) p.destroy();
    this.params.destroy();
    this.device.destroy();
  }
}
