/**
 * The one shader form behind the data-movement kernels: each element of an
 * iteration box takes one element of the source, or a fill value where its
 * coordinates fall outside the source (pad, fill, an out-of-range gather
 * index), or keeps what the destination holds (a bool concat writing one
 * operand's slab). Elements move as raw bits, so f32 and i32 share kernels.
 *
 * Four-byte elements get one invocation each. bool elements are bytes packed
 * four to a u32 word, and an invocation owns a whole destination word (its
 * four elements), so no two invocations write the same word.
 */
import type { DType, Shape } from '../../../compiler/ir/types.js';
import { countAffine, countExpr, decomposeIndex } from '../shape_exprs.js';
import type { GpuBinding, GpuDispatch } from './context.js';

const LANES = 64;
const BYTES_PER_WORD = 4;

/** Where one box element comes from, as WGSL over the box coordinates. */
export interface ElementSource {
  /** Statements to run first (e.g. loading a gather index). */
  statements?: string;
  /** The source element index (u32). */
  index: string;
  /** Where present, the source is read only where this bool expression holds. */
  inside?: string;
}

export interface BoxCopy {
  label: string;
  dtype: DType;
  /** The iteration box; shaders name its coordinates o0, o1, ... */
  shape: Shape;
  /** The source (bound as `src`) element of box coordinates and the box's linear index; none: every element is `fill`. */
  source?: (coords: string[], linear: string) => ElementSource;
  /** The destination index of box coordinates; none: the box is the whole dense destination (required for bool). */
  destination?: (coords: string[]) => string;
  /** Element bits written where the source is not read (see elementBits); none: the destination keeps its value. */
  fill?: number;
  src?: GpuBinding;
  dst: GpuBinding;
  /** More bindings the source statements read. */
  extra?: GpuBinding[];
  declarations?: string[];
}

/** The bits of `value` stored as an element of `dtype` (bool: one byte, nonzero is true). */
export function elementBits(value: number, dtype: DType): number {
  if (dtype === 'bool') return value !== 0 ? 1 : 0;
  if (dtype === 'i32') return value >>> 0;
  return new Uint32Array(new Float32Array([value]).buffer)[0];
}

const hex = (bits: number): string => `0x${bits.toString(16)}u`;
const asWords = (b: GpuBinding): GpuBinding => ({ ...b, element: 'u32' });

function coordsOf(shape: Shape): string[] {
  return shape.map((_, axis) => `o${axis}`);
}

/** `then` where `inside` holds (always without it), else `otherwise` (nothing when empty). */
function guarded(inside: string | undefined, then: string, otherwise: string): string {
  if (inside === undefined) return then;
  const indent = (s: string): string => s.split('\n').map((l) => `  ${l}`).join('\n');
  return otherwise === '' ? `if (${inside}) {\n${indent(then)}\n}` : `if (${inside}) {\n${indent(then)}\n} else {\n${indent(otherwise)}\n}`;
}

function wordBody(c: BoxCopy): string {
  const coords = coordsOf(c.shape);
  const at = c.destination ? c.destination(coords) : 'gi';
  const fill = c.fill === undefined ? '' : `dst[${at}] = ${hex(c.fill)};`;
  const lines = c.source || c.destination ? [decomposeIndex(c.shape, 'gi', 'o')] : [];
  if (c.source) {
    const s = c.source(coords, 'gi');
    if (s.statements) lines.push(s.statements);
    lines.push(guarded(s.inside, `dst[${at}] = src[${s.index}];`, fill));
  } else {
    lines.push(fill);
  }
  return `if (gi < ${countExpr(c.shape)}) {\n${lines.join('\n').replace(/^/gm, '  ')}\n}`;
}

function byteBody(c: BoxCopy): string {
  if (c.destination) throw new Error(`${c.label}: a bool box copy writes its whole dense destination`);
  const coords = coordsOf(c.shape);
  const put = (bits: string): string => `word = (word & ~(0xffu << shift)) | (${bits} << shift);`;
  const fill = c.fill === undefined ? '' : put(hex(c.fill));
  const element = [...(c.source ? [decomposeIndex(c.shape, 'i', 'o')] : []), 'let shift = e * 8u;'];
  if (c.source) {
    const s = c.source(coords, 'i');
    if (s.statements) element.push(s.statements);
    const read = [`let s = ${s.index};`, put('((src[s / 4u] >> ((s % 4u) * 8u)) & 0xffu)')].join('\n');
    element.push(guarded(s.inside, read, fill));
  } else {
    element.push(fill);
  }
  return [
    `let count = ${countExpr(c.shape)};`,
    'if (gi * 4u < count) {',
    `  var word = ${c.fill === undefined ? 'dst[gi]' : '0u'};`,
    '  for (var e = 0u; e < 4u; e = e + 1u) {',
    '    let i = gi * 4u + e;',
    '    if (i < count) {',
    element.join('\n').replace(/^/gm, '      '),
    '    }',
    '  }',
    '  dst[gi] = word;',
    '}',
  ].join('\n');
}

export function boxCopyDispatch(c: BoxCopy): GpuDispatch {
  const bytes = c.dtype === 'bool';
  const count = countAffine(c.shape);
  const bindings = [...(c.src ? [asWords(c.src)] : []), asWords(c.dst), ...(c.extra ?? [])];
  return {
    label: c.label,
    bindings,
    shader: { workgroupSize: [LANES], declarations: c.declarations, body: bytes ? byteBody(c) : wordBody(c) },
    grid: [{ ...count, per: bytes ? LANES * BYTES_PER_WORD : LANES }],
  };
}
