/**
 * Mutations for the file fuzzers, as fast-check arbitraries so a failing
 * input shrinks to a small edit: byte-wise (flip a bit, set a byte to an
 * edge value, truncate, insert, splice a chunk elsewhere) and JSON-aware
 * (delete a key, change a value's type, put a huge, negative or
 * fractional number or a deep nest in its place, duplicate an element).
 * Positions are fractions of the current length, so one edit applies to
 * files of any size.
 */
import fc from 'fast-check';

export type ByteEdit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'splice'; from: number; length: number; to: number };

const position = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const EDGE_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x30, 0x22, 0x7b];

export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.oneof(fc.constantFrom(...EDGE_BYTES), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('splice' as const), from: position, length: fc.integer({ min: 1, max: 64 }), to: position }),
);

/** One to four byte edits, applied in order. */
export const byteEdits: fc.Arbitrary<ByteEdit[]> = fc.array(byteEdit, { minLength: 1, maxLength: 4 });

function applyByteEdit(bytes: Uint8Array, e: ByteEdit): Uint8Array {
  const at = (p: number): number => Math.floor(p * bytes.length);
  switch (e.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = new Uint8Array(bytes);
      out[at(e.at)] ^= 1 << e.bit;
      return out;
    }
    case 'set': {
      if (bytes.length === 0) return bytes;
      const out = new Uint8Array(bytes);
      out[at(e.at)] = e.value;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at(e.at));
    case 'insert': {
      const i = at(e.at);
      return new Uint8Array([...bytes.subarray(0, i), ...e.bytes, ...bytes.subarray(i)]);
    }
    case 'splice': {
      const from = at(e.from);
      const chunk = bytes.slice(from, from + e.length);
      const to = at(e.to);
      return new Uint8Array([...bytes.subarray(0, to), ...chunk, ...bytes.subarray(to)]);
    }
  }
}

export function applyByteEdits(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  return edits.reduce(applyByteEdit, bytes);
}

/** What a JSON edit puts in place of a value. */
export type JsonValueKind = 'null' | 'true' | 'string' | 'emptyArray' | 'emptyObject' | 'zero' | 'negative' | 'fraction' | 'huge' | 'maxInt' | 'int32Max' | 'deepNest' | 'longString' | 'bigArray';

export type JsonEdit =
  | { kind: 'delete'; path: number }
  | { kind: 'replace'; path: number; value: JsonValueKind }
  | { kind: 'duplicate'; path: number }
  | { kind: 'increment'; path: number; by: number };

const VALUE_KINDS: JsonValueKind[] = ['null', 'true', 'string', 'emptyArray', 'emptyObject', 'zero', 'negative', 'fraction', 'huge', 'maxInt', 'int32Max', 'deepNest', 'longString', 'bigArray'];

/** `path` indexes the list of every value's location in the document (modulo its length). */
export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), path: fc.nat(), value: fc.constantFrom(...VALUE_KINDS) }),
  fc.record({ kind: fc.constant('duplicate' as const), path: fc.nat() }),
  fc.record({ kind: fc.constant('increment' as const), path: fc.nat(), by: fc.constantFrom(-1, 1, 2, -1000, 1000) }),
);

export const jsonEdits: fc.Arbitrary<JsonEdit[]> = fc.array(jsonEdit, { minLength: 1, maxLength: 3 });

function valueOf(kind: JsonValueKind): unknown {
  switch (kind) {
    case 'null':
      return null;
    case 'true':
      return true;
    case 'string':
      return 'x';
    case 'emptyArray':
      return [];
    case 'emptyObject':
      return {};
    case 'zero':
      return 0;
    case 'negative':
      return -7;
    case 'fraction':
      return 2.5;
    case 'huge':
      return 1e300;
    case 'maxInt':
      return Number.MAX_SAFE_INTEGER;
    case 'int32Max':
      return 2 ** 31 - 1;
    case 'deepNest': {
      let v: unknown = [];
      for (let i = 0; i < 1000; i++) v = [v];
      return v;
    }
    case 'longString':
      return 'a'.repeat(100_000);
    case 'bigArray':
      return new Array<number>(10_000).fill(1);
  }
}

type Container = Record<string, unknown> | unknown[];

/** Every [parent, key] in the document, depth first (the root has no parent and is left out); iterative, for deep nests. */
function locations(root: unknown): [Container, string | number][] {
  const out: [Container, string | number][] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k] of entries) out.push([v as Container, k]);
    for (const [, x] of entries.reverse()) stack.push(x);
  }
  return out;
}

function applyJsonEdit(doc: unknown, e: JsonEdit): void {
  const all = locations(doc);
  if (all.length === 0) return;
  const [parent, key] = all[e.path % all.length];
  const current = (parent as Record<string | number, unknown>)[key];
  switch (e.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      return;
    case 'replace':
      (parent as Record<string | number, unknown>)[key] = valueOf(e.value);
      return;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(current));
      else if (Array.isArray(current)) current.push(structuredClone(current[current.length - 1]));
      return;
    case 'increment':
      if (typeof current === 'number') (parent as Record<string | number, unknown>)[key] = current + e.by;
      return;
  }
}

/** A deep copy of `doc` with the edits applied. */
export function applyJsonEdits(doc: unknown, edits: readonly JsonEdit[]): unknown {
  const copy = structuredClone(doc);
  for (const e of edits) applyJsonEdit(copy, e);
  return copy;
}
