/**
 * Test-side loader for a WasmArtifact, following the runtime contract in
 * targets/wasm/index.ts: weights copied once, memory grown to the arena's
 * size for the batch, inputs written, one `run(N)` call, outputs read back.
 */
import type { Tensor } from '../../../compiler/ir/tensor.js';
import { sizeOf } from '../../../compiler/ir/tensor.js';
import type { Affine, WasmArtifact } from '../../../targets/wasm/index.js';

const PAGE = 65536;

const at = (a: Affine, batch: number): number => a.base + a.perBatch * batch;

export interface LoadedWasm {
  run(inputs: readonly Tensor[]): Tensor[];
}

export async function loadArtifact(artifact: WasmArtifact): Promise<LoadedWasm> {
  if (!WebAssembly.validate(artifact.wasm)) throw new Error('the module does not validate');
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(artifact.wasm));
  const memory = instance.exports.memory as WebAssembly.Memory;
  const runFn = instance.exports.run as (batch: number) => void;
  const { layout } = artifact;
  const ensure = (bytes: number): void => {
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
  };
  ensure(layout.weightsOffset + artifact.weights.length);
  new Uint8Array(memory.buffer).set(artifact.weights, layout.weightsOffset);
  return {
    run(inputs) {
      let batch = 1;
      layout.inputs.forEach((slot, i) => {
        const k = slot.shape.indexOf('N');
        if (k >= 0) batch = inputs[i].shape[k];
      });
      ensure(layout.arenaOffset + at(layout.arenaBytes, batch));
      layout.inputs.forEach((slot, i) => {
        const t = inputs[i];
        const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        new Uint8Array(memory.buffer).set(bytes, at(slot.offset, batch));
      });
      runFn(batch);
      return layout.outputs.map((slot) => {
        const shape = slot.shape.map((d) => (d === 'N' ? batch : d));
        const count = sizeOf(shape);
        const start = at(slot.offset, batch);
        const data = slot.dtype === 'f32' ? new Float32Array(memory.buffer.slice(start, start + count * 4)) : new Int32Array(memory.buffer.slice(start, start + count * 4));
        return { dtype: slot.dtype, shape, data };
      });
    },
  };
}
