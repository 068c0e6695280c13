/**
 * The WebGPU weights file: each entry (a weight in its plain row-major
 * layout, or a derived constant a kernel asked for) placed once under a key,
 * 256-byte aligned so it can be bound on its own. The file is cut into pages
 * that each fit one storage binding (`PAGE_BYTES`, WebGPU's default
 * maxStorageBufferBindingSize); an entry never straddles two pages, and an
 * entry larger than a page gets a page of its own (the runtime then needs a
 * device whose limit holds it, and says so otherwise).
 */
import { ALIGNMENT, alignUp } from '../../compiler/plan/affine.js';

export const PAGE_BYTES = 128 * 1024 * 1024;

export interface WeightPage {
  /** Where the page starts in the weights file. */
  offset: number;
  bytes: number;
}

export class GpuWeightsBuilder {
  private readonly entries: { at: number; bytes: Uint8Array }[] = [];
  private readonly byKey = new Map<string, { at: number; length: number }>();
  private size = 0;
  private readonly pages: WeightPage[] = [];

  constructor(private readonly pageBytes = PAGE_BYTES) {}

  /** Places `bytes` under `key` (once); returns the entry's file offset and byte length. */
  place(key: string, bytes: () => Uint8Array): { at: number; length: number } {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const data = bytes();
    const padded = alignUp(Math.max(data.length, 4), ALIGNMENT);
    const page = this.pages[this.pages.length - 1];
    const at = this.size;
    if (!page || page.bytes + padded > this.pageBytes) {
      this.pages.push({ offset: at, bytes: padded });
    } else {
      page.bytes += padded;
    }
    this.entries.push({ at, bytes: data });
    this.size += padded;
    const entry = { at, length: data.length };
    this.byKey.set(key, entry);
    return entry;
  }

  /** The page holding file offset `at`, and the offset within it. */
  locate(at: number): { page: number; offset: number } {
    const page = this.pages.findIndex((p) => at >= p.offset && at < p.offset + p.bytes);
    if (page < 0) throw new Error(`weights offset ${at} is in no page`);
    return { page, offset: at - this.pages[page].offset };
  }

  layout(): WeightPage[] {
    return this.pages.map((p) => ({ ...p }));
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    for (const e of this.entries) out.set(e.bytes, e.at);
    return out;
  }
}
