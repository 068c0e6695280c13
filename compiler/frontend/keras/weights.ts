/**
 * TF.js weights manifests and the bytes they describe. A manifest entry is
 * `{name, shape, dtype, quantization?}`; its bytes are `prod(shape)` values of
 * the stored type, little-endian, C order. Stored types:
 *  - `float32`, `int32` (4 bytes), `bool` (1 byte), `float16` (2 bytes);
 *  - `quantization: {dtype: 'uint8' | 'uint16', min, scale}`: stores `q`,
 *    meaning `q * scale + min` (rounded when the weight is `int32`);
 *  - `quantization: {dtype: 'float16'}`: stores half floats.
 */
import type { Tensor } from '../../ir/tensor.js';
import { sizeOf } from '../../ir/tensor.js';
import type { DType } from '../../ir/types.js';
import { formatBytes, MAX_RANK, MAX_TENSOR_ELEMENTS, MAX_WEIGHT_BYTES } from '../../limits.js';
import { ModelFileError } from './errors.js';

export interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  min?: number;
  scale?: number;
}

export interface ManifestEntry {
  name: string;
  shape: number[];
  /** The weight's own dtype as written in the manifest (`float32`, `int32`, ...). */
  dtype: string;
  quantization?: Quantization;
}

export interface WeightGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const WEIGHT_DTYPES: Record<string, DType> = { float32: 'f32', float16: 'f32', int32: 'i32', bool: 'bool' };
const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseQuantization(raw: unknown, file: string, weight: string): Quantization {
  if (!isRecord(raw)) throw new ModelFileError(file, `'quantization' must be an object`, { weight });
  const dtype = raw.dtype;
  if (dtype === 'float16') return { dtype };
  if (dtype !== 'uint8' && dtype !== 'uint16') {
    throw new ModelFileError(
      file,
      `unsupported quantization dtype ${JSON.stringify(dtype)} (tfc supports uint8, uint16 and float16)`,
      { weight },
    );
  }
  const { min, scale } = raw;
  if (typeof min !== 'number' || typeof scale !== 'number' || !Number.isFinite(min) || !Number.isFinite(scale)) {
    throw new ModelFileError(file, `${dtype} quantization needs numeric 'min' and 'scale'`, { weight });
  }
  return { dtype, min, scale };
}

/** A declared shape within the limits, checked before anything of that size is allocated or read. */
function checkShapeLimits(shape: number[], file: string, weight: string): void {
  if (shape.length > MAX_RANK) {
    throw new ModelFileError(file, `'shape' has rank ${shape.length}; the limit is ${MAX_RANK} (MAX_RANK)`, { weight });
  }
  // Each size within the limit keeps the product finite (a zero then makes it 0, never NaN).
  const count = shape.some((d) => d > MAX_TENSOR_ELEMENTS) ? Infinity : sizeOf(shape);
  if (count > MAX_TENSOR_ELEMENTS) {
    const has = Number.isFinite(count) ? `${count.toLocaleString('en-US')} values` : 'a size';
    throw new ModelFileError(
      file,
      `shape [${shape.join(',')}] has ${has} over the limit for one tensor of ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} values (MAX_TENSOR_ELEMENTS)`,
      { weight },
    );
  }
}

function parseEntry(raw: unknown, file: string, where: string): ManifestEntry {
  if (!isRecord(raw) || typeof raw.name !== 'string') {
    throw new ModelFileError(file, `${where}: a weight entry must be an object with a string 'name'`);
  }
  const weight = raw.name;
  const shape = raw.shape;
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isInteger(d) && d >= 0)) {
    throw new ModelFileError(file, `'shape' must be a list of non-negative integers, got ${JSON.stringify(shape)}`, {
      weight,
    });
  }
  const dtype = raw.dtype ?? 'float32';
  if (typeof dtype !== 'string' || !(dtype in WEIGHT_DTYPES)) {
    throw new ModelFileError(
      file,
      `unsupported dtype ${JSON.stringify(dtype)} (tfc supports ${Object.keys(WEIGHT_DTYPES).join(', ')})`,
      { weight },
    );
  }
  checkShapeLimits(shape, file, weight);
  const entry: ManifestEntry = { name: weight, shape, dtype };
  if (raw.quantization !== undefined && raw.quantization !== null) {
    entry.quantization = parseQuantization(raw.quantization, file, weight);
    if (dtype === 'bool') throw new ModelFileError(file, 'a bool weight cannot be quantized', { weight });
  }
  return entry;
}

/** Validates a `weightsManifest` value (absent means no weights). */
export function parseManifest(raw: unknown, file: string): WeightGroup[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ModelFileError(file, `'weightsManifest' must be a list of weight groups`);
  const groups = raw.map((group, g): WeightGroup => {
    const where = `weightsManifest[${g}]`;
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(file, `${where} must be an object with 'paths' and 'weights' lists`);
    }
    if (!group.paths.every((p): p is string => typeof p === 'string')) {
      throw new ModelFileError(file, `${where}.paths must hold file names`);
    }
    return { paths: group.paths, weights: group.weights.map((w) => parseEntry(w, file, where)) };
  });
  const total = groups.reduce((n, g) => n + groupByteLength(g), 0);
  if (total > MAX_WEIGHT_BYTES) {
    throw new ModelFileError(
      file,
      `weightsManifest declares ${formatBytes(total)} of weights; the limit is ${formatBytes(MAX_WEIGHT_BYTES)} (MAX_WEIGHT_BYTES)`,
    );
  }
  return groups;
}

/** Bytes a group's shards hold together, as its manifest entries describe them. */
export function groupByteLength(group: WeightGroup): number {
  return group.weights.reduce((n, e) => n + storedByteLength(e), 0);
}

/** Bytes the entry occupies in its group's shards. */
export function storedByteLength(entry: ManifestEntry): number {
  const stored = entry.quantization?.dtype ?? entry.dtype;
  return sizeOf(entry.shape) * STORED_BYTES[stored];
}

/** IEEE 754 half precision to a JS number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Reads stored value `i` of the given stored type. */
function storedValue(stored: string, view: DataView, i: number): number {
  switch (stored) {
    case 'float32':
      return view.getFloat32(i * 4, true);
    case 'int32':
      return view.getInt32(i * 4, true);
    case 'float16':
      return halfToFloat(view.getUint16(i * 2, true));
    case 'uint16':
      return view.getUint16(i * 2, true);
    default: // uint8, bool
      return view.getUint8(i);
  }
}

/** Decodes one weight from exactly `storedByteLength(entry)` bytes, straight into its typed array. */
export function decodeWeight(entry: ManifestEntry, bytes: Uint8Array): Tensor {
  const count = sizeOf(entry.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = entry.quantization;
  const stored = q?.dtype ?? entry.dtype;
  const affine = q !== undefined && q.dtype !== 'float16';
  const scale = q?.scale ?? 1;
  const min = q?.min ?? 0;
  const dtype = WEIGHT_DTYPES[entry.dtype];
  const data = dtype === 'f32' ? new Float32Array(count) : dtype === 'i32' ? new Int32Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const raw = storedValue(stored, view, i);
    const v = affine ? raw * scale + min : raw;
    data[i] = dtype === 'f32' ? v : Math.round(v);
  }
  return { dtype, shape: [...entry.shape], data };
}

/**
 * Decodes the weights of one group from the concatenation of its shards.
 * `groupName` names the group in messages. The bytes must be exactly what
 * the manifest describes: too few or too many is an error.
 */
export function decodeGroup(group: WeightGroup, bytes: Uint8Array, file: string, groupName: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let offset = 0;
  for (const entry of group.weights) {
    const need = storedByteLength(entry);
    if (offset + need > bytes.length) {
      const total = groupByteLength(group);
      throw new ModelFileError(
        file,
        `${groupName} holds ${bytes.length} bytes but the manifest needs ${total}; ` +
          `this weight needs bytes ${offset}..${offset + need} (the shard file is short or truncated)`,
        { weight: entry.name },
      );
    }
    if (out.has(entry.name)) throw new ModelFileError(file, 'appears twice in weightsManifest', { weight: entry.name });
    out.set(entry.name, decodeWeight(entry, bytes.subarray(offset, offset + need)));
    offset += need;
  }
  if (offset !== bytes.length) {
    throw new ModelFileError(
      file,
      `${groupName} holds ${bytes.length} bytes but its manifest entries describe only ${offset}; ` +
        'the manifest does not match the weight files',
    );
  }
  return out;
}
