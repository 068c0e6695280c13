/**
 * Node attributes and their schemas. Every op declares its attributes; the
 * builder fills defaults in, so a node always carries every attribute and
 * prints the same way whether or not the caller spelt a default out.
 */
import { IRError } from './errors.js';
import { isDType } from './types.js';

export type AttrValue = number | boolean | string | readonly AttrValue[];
export type Attrs = Record<string, AttrValue>;

/**
 * - int / float / bool / string: scalars (string may be restricted to `values`)
 * - ints / floats: flat lists
 * - dims: a list of sizes that may also hold `"N"` (the batch) and `-1` (infer)
 * - intss: a list of int lists (e.g. explicit padding `[[1,1],[0,2]]`)
 * - dtype: a dtype name
 */
export type AttrKind = 'int' | 'float' | 'bool' | 'string' | 'ints' | 'floats' | 'dims' | 'intss' | 'dtype';

export interface AttrSpec {
  kind: AttrKind;
  /** Used when the attribute is not given; an attribute without default is required. */
  default?: AttrValue;
  /** Allowed values of a string attribute. */
  values?: readonly string[];
  doc?: string;
}

export type AttrSchema = Record<string, AttrSpec>;

function isInt(v: AttrValue): boolean {
  return typeof v === 'number' && Number.isInteger(v);
}

function checkKind(name: string, spec: AttrSpec, v: AttrValue): void {
  const bad = (what: string): never => {
    throw new IRError(`attribute '${name}' must be ${what}, got ${JSON.stringify(v)}`);
  };
  switch (spec.kind) {
    case 'int':
      if (!isInt(v)) bad('an integer');
      return;
    case 'float':
      if (typeof v !== 'number') bad('a number');
      return;
    case 'bool':
      if (typeof v !== 'boolean') bad('true or false');
      return;
    case 'string':
      if (typeof v !== 'string') bad('a string');
      if (spec.values && !spec.values.includes(v as string)) bad(`one of ${spec.values.map((s) => `"${s}"`).join(', ')}`);
      return;
    case 'dtype':
      if (typeof v !== 'string' || !isDType(v)) bad('a dtype (f32, i32, bool)');
      return;
    case 'ints':
      if (!Array.isArray(v) || !v.every(isInt)) bad('a list of integers');
      return;
    case 'floats':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) bad('a list of numbers');
      return;
    case 'dims':
      if (!Array.isArray(v) || !v.every((x) => isInt(x) || x === 'N')) bad('a list of sizes, N or -1');
      return;
    case 'intss':
      if (!Array.isArray(v) || !v.every((row) => Array.isArray(row) && row.every(isInt))) bad('a list of integer lists');
      return;
  }
}

/**
 * Checks attributes against a schema and returns them complete, in schema
 * order, with defaults filled in. Unknown or missing attributes are errors.
 */
export function normalizeAttrs(opName: string, schema: AttrSchema, given: Attrs): Attrs {
  for (const key of Object.keys(given)) {
    if (!(key in schema)) throw new IRError(`${opName}: unknown attribute '${key}'`);
  }
  const out: Attrs = {};
  for (const [key, spec] of Object.entries(schema)) {
    const v = key in given ? given[key] : spec.default;
    if (v === undefined) throw new IRError(`${opName}: missing attribute '${key}'`);
    try {
      checkKind(key, spec, v);
    } catch (e) {
      throw new IRError(`${opName}: ${(e as Error).message}`);
    }
    out[key] = v;
  }
  return out;
}

/** Prints one attribute value in the IR text form. */
export function formatAttrValue(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.map(formatAttrValue).join(',')}]`;
  if (typeof v === 'string') return v === 'N' ? 'N' : JSON.stringify(v);
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

/** Shortest text that reads back as the same double; non-finite values by name. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}
