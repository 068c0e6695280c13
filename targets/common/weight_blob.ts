/**
 * A target's weights file, filled at build time: each entry (a weight, or a
 * constant a kernel derived from one, such as a pre-packed GEMM panel) is
 * placed once under a key, at an offset that is a multiple of `alignment`,
 * padded to the next multiple (and to at least `minEntryBytes`) with zeros.
 * With `pageBytes`, the file is cut into pages of at most that size that each
 * hold whole entries (an entry larger than a page gets a page of its own).
 */
import { alignUp } from '../../compiler/plan/affine.js';
import type { Graph, Node } from '../../compiler/ir/graph.js';
import { attrsOf } from '../../compiler/ir/node_attrs.js';
import { OP } from '../../compiler/ir/op_types.js';
import { tensorBytes } from '../../compiler/ir/tensor_bytes.js';

export interface BlobLayout {
  alignment: number;
  /** Every entry takes at least this many bytes, so vector loads past a short entry stay inside it. */
  minEntryBytes: number;
  /** The most bytes of one page; omitted: one page. */
  pageBytes?: number;
}

export interface BlobEntry {
  /** Byte offset in the file. */
  at: number;
  /** The entry's own bytes (without padding). */
  length: number;
}

export interface WeightPage {
  /** Where the page starts in the weights file. */
  offset: number;
  bytes: number;
}

export class WeightBlob {
  private readonly entries: { at: number; bytes: Uint8Array }[] = [];
  private readonly byKey = new Map<string, BlobEntry>();
  private readonly pageList: WeightPage[] = [];
  private size = 0;

  constructor(private readonly layout: BlobLayout) {}

  /** Places `bytes()` under `key` (once; later calls return the first entry). */
  place(key: string, bytes: () => Uint8Array): BlobEntry {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const data = bytes();
    const padded = alignUp(Math.max(data.length, this.layout.minEntryBytes), this.layout.alignment);
    const page = this.pageList[this.pageList.length - 1];
    const at = this.size;
    if (!page || page.bytes + padded > (this.layout.pageBytes ?? Infinity)) this.pageList.push({ offset: at, bytes: padded });
    else page.bytes += padded;
    this.entries.push({ at, bytes: data });
    this.size += padded;
    const entry = { at, length: data.length };
    this.byKey.set(key, entry);
    return entry;
  }

  /** The page holding file offset `at`, and the offset within it. */
  locate(at: number): { page: number; offset: number } {
    const page = this.pageList.findIndex((p) => at >= p.offset && at < p.offset + p.bytes);
    if (page < 0) throw new Error(`weights offset ${at} is in no page`);
    return { page, offset: at - this.pageList[page].offset };
  }

  pages(): WeightPage[] {
    return this.pageList.map((p) => ({ ...p }));
  }

  /** The file so far (padding is zero). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    for (const e of this.entries) out.set(e.bytes, e.at);
    return out;
  }

  get byteLength(): number {
    return this.size;
  }
}

/** The blob key and bytes of the weight a `const` node of `graph` (or of a body sharing its weight table) reads. */
export function weightEntry(graph: Graph, constNode: Node): { key: string; bytes: () => Uint8Array } {
  const { ref } = attrsOf(constNode, OP.const);
  const t = graph.weights.get(ref);
  if (!t) throw new Error(`weight '${ref}' has no data`);
  return { key: `weight:${ref}`, bytes: () => tensorBytes(t) };
}
