/**
 * Reading model inputs from and writing model outputs to .npy files, shared
 * by `tfc run` (the interpreter) and `tfc predict` (a bundle).
 *
 * Input dtypes: an int32 file for a float32 input is converted (exact for
 * |x| < 2^24, which covers token ids); a float32 file for an int32 input is
 * converted only when every value is an integer in int32 range, otherwise it
 * is rejected naming the input and the expected dtype.
 *
 * Batch size 0 (an input whose batch dimension is 0) is refused, naming the
 * input, by `tfc run` and `tfc predict` alike, as Keras's predict refuses
 * empty input; the interpreter and the runtime refuse it too.
 *
 * Outputs are all or nothing: their paths are checked before the model runs
 * (output_paths.ts), each is written to a temporary file beside it, and the
 * temporaries are renamed into place together only once all are written. On
 * an error, SIGINT or SIGTERM the temporaries are removed, so nothing new is
 * left on disk.
 */
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { InterruptedError, interruptible } from '../../compiler/io/interruptible.js';
import { readNpy, writeNpy } from '../../compiler/io/npy.js';
import { FileAccessError, readRegularFile } from '../../compiler/io/read_file.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { formatShape, type DType, type Shape } from '../../compiler/ir/types.js';
import { MAX_FILE_BYTES } from '../../compiler/limits.js';
import { CliError } from './errors.js';
import { commitOutputs, type OutputFile } from './output_paths.js';

/** What a model says about one of its inputs or outputs. */
export interface PortSpec {
  name: string;
  dtype: DType;
  /** With 'N' for the batch dimension. */
  shape: Shape;
}

/** Reads an input .npy: a regular file (a FIFO or /dev/zero is refused at once, not read) of at most MAX_FILE_BYTES. */
export async function readInputFile(file: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    // A fresh buffer of its own: readNpy views the bytes' whole ArrayBuffer.
    bytes = await readRegularFile(file, MAX_FILE_BYTES, 'an input file');
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    throw new CliError(`cannot read input file '${file}': it ${e.reason}`, { cause: e });
  }
  return readNpy(bytes, file);
}

/** Refuses an input whose batch dimension is 0 (see the file comment). */
export function checkBatch(t: Tensor, spec: PortSpec | undefined, index: number, file: string): void {
  const k = spec?.shape.indexOf('N') ?? -1;
  if (spec === undefined || k < 0 || t.shape.length !== spec.shape.length || t.shape[k] !== 0) return;
  throw new CliError(
    `input ${index} '${spec.name}' (${file}) has batch size 0 (shape ${formatShape(t.shape)}); the batch size must be at least 1`,
  );
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

export async function writeOutputFiles(files: readonly OutputFile[], tensors: Tensor[]): Promise<void> {
  const temps = files.map((f) => `${f.path}.tfc-${process.pid}.tmp`);
  const removeTemps = (): void => temps.forEach((t) => rmSync(t, { force: true }));
  try {
    await interruptible('the outputs', removeTemps, async (signal) => {
      for (const [i, temp] of temps.entries()) {
        signal.throwIfAborted();
        await writeFile(temp, writeNpy(tensors[i]));
      }
      signal.throwIfAborted();
      commitOutputs(files, temps);
    });
  } catch (e) {
    if (e instanceof InterruptedError || e instanceof CliError) throw e;
    throw new CliError(`cannot write outputs: ${(e as Error).message}`, { cause: e });
  }
}
