/**
 * The weights region of linear memory, filled at build time: each entry
 * (a raw weight, or one pre-packed for a kernel) is placed once under a key,
 * 16-byte aligned and padded, so vector loads past its end stay inside it.
 */
import { tensorBytes } from '../../compiler/ir/tensor_bytes.js';

export { tensorBytes };

const WEIGHT_ALIGNMENT = 16;

export class WeightsBuilder {
  private readonly chunks: { at: number; bytes: Uint8Array }[] = [];
  private readonly byKey = new Map<string, number>();
  private size = 0;

  /** `base` is where the region starts in linear memory. */
  constructor(readonly base: number) {}

  /** Places `bytes` under `key` (once) and returns their absolute address. */
  place(key: string, bytes: () => Uint8Array): number {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const data = bytes();
    const at = this.base + this.size;
    this.chunks.push({ at: this.size, bytes: data });
    this.size += Math.ceil(Math.max(data.length, 1) / WEIGHT_ALIGNMENT) * WEIGHT_ALIGNMENT;
    this.byKey.set(key, at);
    return at;
  }

  /** The region's bytes so far (padding is zero). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    for (const c of this.chunks) out.set(c.bytes, c.at);
    return out;
  }

  get byteLength(): number {
    return this.size;
  }
}

export function floatBytes(data: Float32Array): Uint8Array {
  return tensorBytes({ dtype: 'f32', shape: [data.length], data });
}
