/** A tensor's data as the bytes a target stores: little-endian f32 / i32 (4 bytes), bool 1 byte per element. */
import type { Tensor } from './tensor.js';

export function tensorBytes(t: Tensor): Uint8Array {
  const out = new Uint8Array(t.data.length * (t.dtype === 'bool' ? 1 : 4));
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.data.length; i++) {
    if (t.dtype === 'f32') view.setFloat32(i * 4, t.data[i], true);
    else if (t.dtype === 'i32') view.setInt32(i * 4, t.data[i], true);
    else out[i] = t.data[i];
  }
  return out;
}
