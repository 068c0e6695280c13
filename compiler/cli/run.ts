/**
 * `tfc run`: runs a model on .npy inputs with the reference interpreter and
 * writes its outputs as .npy files. The graph goes through the optimization
 * pipeline first (`--no-opt` runs it as imported).
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
import { lowerModel } from '../frontend/lower.js';
import { loadModelSource } from '../frontend/load.js';
import { interpret, InputMismatchError } from '../interpreter/interpreter.js';
import { readNpy, writeNpy } from '../io/npy.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { verifyGraph } from '../ir/verifier.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';

export interface RunOptions extends PipelineFlags {
  input: string[];
  output: string[];
  model?: string;
}

async function readInput(file: string): Promise<Tensor> {
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
function toInputDtype(t: Tensor, graph: Graph, index: number, file: string): Tensor {
  const want = graph.inputs[index]?.type.dtype;
  if (want === undefined || want === t.dtype) return t;
  const label = `input ${index} '${graph.inputs[index].name ?? index}' (${file})`;
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

function checkOutputCount(graph: Graph, outputs: string[], modelFile: string): void {
  if (outputs.length === graph.outputs.length) return;
  const names = graph.outputs.map((o) => o.name).join(', ');
  throw new CliError(
    `${modelFile} has ${graph.outputs.length} output(s) (${names}); give one --output file for each, in that order (got ${outputs.length})`,
  );
}

async function writeAll(files: string[], tensors: Tensor[]): Promise<void> {
  const temps = files.map((f) => `${f}.tfc-${process.pid}.tmp`);
  try {
    await Promise.all(temps.map((t, i) => writeFile(t, writeNpy(tensors[i]))));
  } catch (e) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw new CliError(`cannot write outputs: ${(e as Error).message}`, { cause: e });
  }
  await Promise.all(temps.map((t, i) => rename(t, files[i])));
}

export async function runCommand(modelFile: string, options: RunOptions): Promise<void> {
  const spec = await loadModelSource(modelFile, { modelExport: options.model });
  let graph: Graph;
  try {
    graph = lowerModel(spec).graph;
    verifyGraph(graph);
  } catch (e) {
    throw locate(modelFile, e);
  }
  optimizeGraph(graph, options);
  checkOutputCount(graph, options.output, modelFile);
  const inputs = await Promise.all(options.input.map(readInput));
  const converted = inputs.map((t, i) => toInputDtype(t, graph, i, options.input[i]));
  let results: Tensor[];
  try {
    results = interpret(graph, converted);
  } catch (e) {
    if (e instanceof InputMismatchError) {
      throw new CliError(`inputs do not fit ${modelFile}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  await writeAll(options.output, results);
}
