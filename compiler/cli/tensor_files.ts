/**
 * Reading model inputs from and writing model outputs to .npy files, shared
 * by `tfc run` (the interpreter) and `tfc predict` (a bundle).
 *
 * Input dtypes: an int32 file for a float32 input is converted (exact for
 * |x| < 2^24, which covers token ids); a float32 file for an int32 input is
 * converted only when every value is an integer in int32 range, otherwise it
 * is rejected naming the input and the expected dtype.
 *
 * Outputs are written only once everything has succeeded, each first to a
 * temporary file that is renamed into place, so a failed run leaves no
 * half-written or partial set of outputs behind.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readNpy, writeNpy } from '../io/npy.js';
import type { Tensor } from '../ir/tensor.js';
import type { DType } from '../ir/types.js';
import { CliError } from './errors.js';

/** What a model says about one of its inputs or outputs. */
export interface PortSpec {
  name: string;
  dtype: DType;
}

export async function readInputFile(file: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    // A plain copy: readNpy views the bytes' whole ArrayBuffer, which for a
    // small Node Buffer is a shared pool.
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new CliError(`cannot read input file '${file}': ${reason}`, { cause: e });
  }
  return readNpy(bytes, file);
}

/** Converts an input to the dtype the model expects where that loses nothing (see the file comment). */
export function toInputDtype(t: Tensor, spec: PortSpec | undefined, index: number, file: string): Tensor {
  const want = spec?.dtype;
  if (spec === undefined || want === t.dtype) return t;
  const label = `input ${index} '${spec.name}' (${file})`;
  if (want === 'f32' && t.dtype === 'i32') return { ...t, dtype: 'f32', data: Float32Array.from(t.data) };
  if (want === 'i32' && t.dtype === 'f32') {
    const bad = t.data.findIndex((x) => !Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31);
    if (bad >= 0) {
      throw new CliError(
        `${label} must be int32; the file is float32 and element ${bad} (${t.data[bad]}) is not an int32 value`,
      );
    }
    return { ...t, dtype: 'i32', data: Int32Array.from(t.data) };
  }
  throw new CliError(`${label} must be ${want}, but the file holds ${t.dtype}`);
}

export function checkOutputCount(outputs: readonly PortSpec[], files: string[], where: string): void {
  if (files.length === outputs.length) return;
  const names = outputs.map((o) => o.name).join(', ');
  throw new CliError(
    `${where} has ${outputs.length} output(s) (${names}); give one --output file for each, in that order (got ${files.length})`,
  );
}

export async function writeOutputFiles(files: string[], tensors: Tensor[]): Promise<void> {
  const temps = files.map((f) => `${f}.tfc-${process.pid}.tmp`);
  try {
    await Promise.all(temps.map((t, i) => writeFile(t, writeNpy(tensors[i]))));
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw new CliError(`cannot write outputs: ${(e as Error).message}`, { cause: e });
  }
  await Promise.all(temps.map((t, i) => rename(t, files[i])));
}
