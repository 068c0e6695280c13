/**
 * The one weights-file builder both targets use, at the wasm layout (16-byte
 * entries, no pages) and the WebGPU layout (256-byte entries of at least 4
 * bytes, in pages that hold whole entries).
 */
import '../../../compiler/ops/index.js';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { WeightBlob, weightEntry } from '../../../targets/common/weight_blob.js';

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('weight blob', () => {
  it('aligns and zero-pads every entry, and places a key once', () => {
    const blob = new WeightBlob({ alignment: 16, minEntryBytes: 1 });
    let made = 0;
    const once = (): Uint8Array => (made++, bytes(3, 7));
    expect(blob.place('a', once)).toEqual({ at: 0, length: 3 });
    expect(blob.place('b', () => bytes(17, 9))).toEqual({ at: 16, length: 17 });
    expect(blob.place('a', once)).toEqual({ at: 0, length: 3 });
    expect(made).toBe(1);
    expect(blob.place('empty', () => new Uint8Array(0))).toEqual({ at: 48, length: 0 });
    expect(blob.byteLength).toBe(64);
    const out = blob.bytes();
    expect([...out.subarray(0, 4)]).toEqual([7, 7, 7, 0]);
    expect(out.subarray(16, 33).every((b) => b === 9)).toBe(true);
    expect(out.subarray(33, 64).every((b) => b === 0)).toBe(true);
    expect(blob.pages()).toEqual([{ offset: 0, bytes: 64 }]);
  });

  it('gives every entry at least minEntryBytes', () => {
    const blob = new WeightBlob({ alignment: 4, minEntryBytes: 8 });
    blob.place('a', () => bytes(1, 1));
    expect(blob.place('b', () => bytes(1, 2)).at).toBe(8);
  });

  it('cuts the file into pages of whole entries; a larger entry gets a page of its own', () => {
    const blob = new WeightBlob({ alignment: 256, minEntryBytes: 4, pageBytes: 1024 });
    blob.place('a', () => bytes(500, 1)); // 512
    blob.place('b', () => bytes(300, 2)); // 512: page 0 is full
    blob.place('c', () => bytes(4, 3)); // 256: page 1
    blob.place('big', () => bytes(2000, 4)); // 2048: its own page
    blob.place('d', () => bytes(4, 5)); // 256: a new page after it
    expect(blob.pages()).toEqual([
      { offset: 0, bytes: 1024 },
      { offset: 1024, bytes: 256 },
      { offset: 1280, bytes: 2048 },
      { offset: 3328, bytes: 256 },
    ]);
    expect(blob.locate(512)).toEqual({ page: 0, offset: 512 });
    expect(blob.locate(1280)).toEqual({ page: 2, offset: 0 });
    expect(blob.locate(3328)).toEqual({ page: 3, offset: 0 });
    expect(() => blob.locate(4096)).toThrow(/weights offset 4096 is in no page/);
  });

  it('reads a const node\'s weight as little-endian bytes under one key per weight', () => {
    const g = parseGraph(`graph @g() -> (y: f32[2]) {
  %0 = const() {ref="w", dtype="f32", shape=[2]} : f32[2]
  return %0
}
weights {
  "w": f32[2] = [1,-2]
}`);
    const entry = weightEntry(g, g.nodes[0]);
    expect(entry.key).toBe('weight:w');
    expect([...new Float32Array(entry.bytes().buffer)]).toEqual([1, -2]);
    g.weights.delete('w');
    expect(() => weightEntry(g, g.nodes[0])).toThrow("weight 'w' has no data");
  });
});
