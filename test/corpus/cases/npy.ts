/** .npy input cases: headers that lie, dtypes and layouts tfc does not read, short data. */
import type { CliCase } from '../case.js';
import { tinyInput } from '../tiny_model.js';
import { RUN, tfjs, both, write } from './common.js';

/** A .npy file with this header dict and `dataBytes` bytes of data. */
function npy(header: string, dataBytes: number, version = 1): Uint8Array {
  const text = `${header}\n`;
  const lengthBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + text.length + dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[8 + lengthBytes + i] = text.charCodeAt(i);
  return out;
}

const header = (descr: string, shape: string, fortran = 'False'): string => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

/** The tiny model with x.npy replaced by `bytes`. */
const input = (bytes: Uint8Array | string) => both(tfjs(), (dir) => write(dir, 'x.npy', bytes));

export const npyCases: CliCase[] = [
  { name: '.npy without the magic', setup: input('x,y\n1,2\n'), argv: RUN, expect: /x\.npy: not a \.npy file/ },
  { name: '.npy empty file', setup: input(new Uint8Array(0)), argv: RUN, expect: /x\.npy: not a \.npy file/ },
  { name: '.npy header longer than the file', setup: input(tinyInput().subarray(0, 40)), argv: RUN, expect: /x\.npy: truncated \.npy header/ },
  { name: '.npy header is not a dict', setup: input(npy('hello', 32)), argv: RUN, expect: /x\.npy: malformed \.npy header/ },
  { name: '.npy shape says more than the data holds', setup: input(npy(header('<f4', '(100, 4)'), 32)), argv: RUN, expect: /x\.npy: holds 32 data bytes, shape \(100, 4\) needs 1600/ },
  { name: '.npy truncated data', setup: input(tinyInput().subarray(0, tinyInput().length - 3)), argv: RUN, expect: /x\.npy: holds 29 data bytes/ },
  { name: '.npy Fortran order', setup: input(npy(header('<f4', '(2, 4)', 'True'), 32)), argv: RUN, expect: /x\.npy: Fortran-order/ },
  { name: '.npy float64', setup: input(npy(header('<f8', '(2, 4)'), 64)), argv: RUN, expect: /x\.npy: dtype '<f8' is not supported/ },
  { name: '.npy big-endian float32', setup: input(npy(header('>f4', '(2, 4)'), 32)), argv: RUN, expect: /x\.npy: dtype '>f4' is not supported/ },
  { name: '.npy object dtype', setup: input(npy(header('|O', '(2, 4)'), 64)), argv: RUN, expect: /x\.npy: dtype '\|O' is not supported/ },
  { name: '.npy negative dimension', setup: input(npy(header('<f4', '(-2, 4)'), 32)), argv: RUN, expect: /x\.npy: bad shape entry '-2'/ },
  {
    name: '.npy shape of 10^12 x 10^12',
    setup: input(npy(header('<f4', '(1000000000000, 1000000000000)'), 32)),
    argv: RUN,
    expect: /x\.npy: .*(limit|needs|too large)/,
  },
  { name: '.npy format version 9', setup: input(npy(header('<f4', '(2, 4)'), 32, 9)), argv: RUN, expect: /x\.npy: unsupported \.npy format version 9/ },
  { name: '.npy of the wrong shape for the model', setup: input(npy(header('<f4', '(2, 5)'), 40)), argv: RUN, expect: /x\.npy|input.*shape|\[2,5\]|5/ },
  { name: 'run with a batch of 0', setup: input(npy(header('<f4', '(0, 4)'), 0)), argv: RUN, expect: /batch|0/ },
  { name: '.npy of rank 1', setup: input(npy(header('<f4', '(4,)'), 16)), argv: RUN, expect: /input/ },
];
