/**
 * The weights region of linear memory, filled at build time: a weight blob
 * (../common/weight_blob.ts) whose entries (raw weights, or ones pre-packed
 * for a kernel) are 16-byte aligned and padded, so vector loads past an
 * entry's end stay inside it. Kernels get absolute addresses.
 */
import { tensorBytes } from '../../compiler/ir/tensor_bytes.js';
import { WeightBlob, type BlobLayout } from '../common/weight_blob.js';

const WASM_BLOB: BlobLayout = { alignment: 16, minEntryBytes: 1 };

export class WeightsBuilder {
  private readonly blob = new WeightBlob(WASM_BLOB);

  /** `base` is where the region starts in linear memory. */
  constructor(readonly base: number) {}

  /** Places `bytes` under `key` (once) and returns their absolute address. */
  place(key: string, bytes: () => Uint8Array): number {
    return this.base + this.blob.place(key, bytes).at;
  }

  /** The region's bytes so far (padding is zero). */
  bytes(): Uint8Array {
    return this.blob.bytes();
  }

  get byteLength(): number {
    return this.blob.byteLength;
  }
}

export function floatBytes(data: Float32Array): Uint8Array {
  return tensorBytes({ dtype: 'f32', shape: [data.length], data });
}
