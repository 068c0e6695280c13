/**
 * NumPy `.npy` files (format 1.0 / 2.0), float32 and int32, little-endian,
 * C order. Reading anything else is an `NpyError` that says what was found.
 */
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { MAX_RANK, MAX_TENSOR_ELEMENTS } from '../limits.js';

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

function parseHeader(text: string, where: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    const quoted = JSON.stringify(text.trim().slice(0, 200));
    throw new NpyError(`${where}: malformed .npy header ${quoted}${text.trim().length > 200 ? ' (cut at 200 characters)' : ''}`);
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new NpyError(`${where}: bad shape entry '${s}' in .npy header`);
      return Number(s.replace(/L$/, ''));
    });
  checkShapeLimits(dims, where);
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims };
}

/** A shape the header declares, within the limits before anything of that size is allocated. */
function checkShapeLimits(shape: number[], where: string): void {
  if (shape.length > MAX_RANK) throw new NpyError(`${where}: the .npy header declares rank ${shape.length}; the limit is ${MAX_RANK} (MAX_RANK)`);
  // Each size within the limit keeps the product finite (a zero then makes it 0, never NaN).
  const count = shape.some((d) => d > MAX_TENSOR_ELEMENTS) ? Infinity : sizeOf(shape);
  if (count > MAX_TENSOR_ELEMENTS) {
    throw new NpyError(
      `${where}: the .npy header declares shape (${shape.join(', ')}), over the limit for one tensor of ` +
        `${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} values (MAX_TENSOR_ELEMENTS)`,
    );
  }
}

/** Parses `.npy` bytes; `where` names the file in messages. */
export function readNpy(bytes: Uint8Array, where = '.npy data'): Tensor {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new NpyError(`${where}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${where}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyError(`${where}: unsupported .npy format version ${major}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new NpyError(`${where}: truncated .npy header`);
  const header = parseHeader(new TextDecoder('latin1').decode(bytes.subarray(headerStart, dataStart)), where);
  if (header.fortran) throw new NpyError(`${where}: Fortran-order arrays are not supported; save with C order`);
  const count = sizeOf(header.shape);
  const descr = header.descr;
  if (descr !== '<f4' && descr !== '<i4' && descr !== '|f4' && descr !== '|i4') {
    throw new NpyError(`${where}: dtype '${descr}' is not supported; use float32 ('<f4') or int32 ('<i4')`);
  }
  const need = count * 4;
  if (bytes.length - dataStart < need) {
    throw new NpyError(`${where}: holds ${bytes.length - dataStart} data bytes, shape (${header.shape.join(', ')}) needs ${need}`);
  }
  // An explicit copy: Node Buffers' slice() is a view into a shared pool, not a copy.
  const copy = new Uint8Array(need);
  copy.set(bytes.subarray(dataStart, dataStart + need));
  const isFloat = descr.endsWith('f4');
  return {
    dtype: isFloat ? 'f32' : 'i32',
    shape: header.shape,
    data: isFloat ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer),
  };
}

/** Serializes a float32 or int32 tensor as `.npy` format 1.0. */
export function writeNpy(t: Tensor): Uint8Array {
  if (t.dtype === 'bool') throw new NpyError('bool tensors cannot be written as .npy; cast to i32 first');
  const descr = t.dtype === 'f32' ? '<f4' : '<i4';
  const shapeText = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 10 + header.length);
  return out;
}
