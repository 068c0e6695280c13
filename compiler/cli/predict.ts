/**
 * `tfc predict DIR --input x.npy --output y.npy`: runs a bundle written by
 * `tfc build` with the runtime (runtime/), exactly as an application would;
 * .npy conventions as for `tfc run` (tensor_files.ts).
 */
import { BundleError, InputError, loadModel, type Model, type TensorLike } from '../../runtime/index.js';
import type { Tensor } from '../ir/tensor.js';
import { CliError } from './errors.js';
import { checkOutputCount, readInputFile, toInputDtype, writeOutputFiles } from './tensor_files.js';

export interface PredictOptions {
  input: string[];
  output: string[];
  backend?: string;
}

/** Runtime errors are the user's to fix (a damaged bundle, inputs that do not fit): report them as such. */
function asCliError(e: unknown): unknown {
  return e instanceof BundleError || e instanceof InputError ? new CliError(e.message, { cause: e }) : e;
}

export async function predictCommand(dir: string, options: PredictOptions): Promise<void> {
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'wasm') throw new CliError(`unknown --backend '${backend}' (backends: auto, wasm)`);
  let model: Model;
  try {
    model = await loadModel(dir, { backend });
  } catch (e) {
    throw asCliError(e);
  }
  checkOutputCount(model.outputs, options.output, `bundle ${dir}`);
  const inputs = await Promise.all(options.input.map(readInputFile));
  const converted = inputs.map((t, i) => toInputDtype(t, model.inputs[i], i, options.input[i]));
  let results: TensorLike[];
  try {
    results = (await model.predict(converted.map((t) => ({ data: t.data as Float32Array | Int32Array, shape: t.shape })))) as TensorLike[];
  } catch (e) {
    throw asCliError(e);
  } finally {
    model.dispose();
  }
  const tensors: Tensor[] = results.map((r, j) => ({ dtype: model.outputs[j].dtype, shape: [...r.shape], data: r.data }));
  await writeOutputFiles(options.output, tensors);
}
