/**
 * `tfc run`: runs a model on .npy inputs with the reference interpreter and
 * writes its outputs as .npy files. The graph goes through the optimization
 * pipeline first (`--no-opt` runs it as imported).
 *
 * Inputs and outputs are .npy files, read and written as tensor_files.ts says.
 */
import { lowerModel } from '../../compiler/frontend/lower.js';
import { loadModelSource } from '../../compiler/frontend/load.js';
import { interpret, InputMismatchError } from '../../compiler/interpreter/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import type { TensorType } from '../../compiler/ir/types.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';
import { checkOutputPaths } from './output_paths.js';
import { checkBatch, checkOutputCount, readInputFile, toInputDtype, writeOutputFiles, type PortSpec } from './tensor_files.js';

export interface RunOptions extends PipelineFlags {
  input: string[];
  output: string[];
  model?: string;
}

const port = (name: string, type: TensorType): PortSpec => ({ name, dtype: type.dtype, shape: type.shape });

export async function runCommand(modelFile: string, options: RunOptions): Promise<void> {
  const outputs = checkOutputPaths(options.output, [
    ...options.input.map((f) => ({ path: f, label: `--input '${f}'` })),
    { path: modelFile, label: `the model file '${modelFile}'` },
  ]);
  const spec = await loadModelSource(modelFile, { modelExport: options.model });
  let graph: Graph;
  try {
    graph = lowerModel(spec).graph;
    verifyGraph(graph);
  } catch (e) {
    throw locate(modelFile, e);
  }
  optimizeGraph(graph, options);
  checkOutputCount(graph.outputs.map((o) => port(o.name, o.value.type)), options.output, modelFile);
  const inputs = await Promise.all(options.input.map(readInputFile));
  const specs = graph.inputs.map((v, i) => port(v.name ?? String(i), v.type));
  inputs.forEach((t, i) => checkBatch(t, specs[i], i, options.input[i]));
  const converted = inputs.map((t, i) => toInputDtype(t, specs[i], i, options.input[i]));
  let results: Tensor[];
  try {
    results = interpret(graph, converted);
  } catch (e) {
    if (e instanceof InputMismatchError) {
      throw new CliError(`inputs do not fit ${modelFile}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  await writeOutputFiles(outputs, results);
}
