/**
 * `tfc run`: runs a model on .npy inputs with the reference interpreter and
 * writes its outputs as .npy files. The graph goes through the optimization
 * pipeline first (`--no-opt` runs it as imported).
 *
 * Inputs and outputs are .npy files, read and written as tensor_files.ts says.
 */
import { lowerModel } from '../frontend/lower.js';
import { loadModelSource } from '../frontend/load.js';
import { interpret, InputMismatchError } from '../interpreter/interpreter.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { verifyGraph } from '../ir/verifier.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';
import { checkOutputCount, readInputFile, toInputDtype, writeOutputFiles, type PortSpec } from './tensor_files.js';

export interface RunOptions extends PipelineFlags {
  input: string[];
  output: string[];
  model?: string;
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
  checkOutputCount(graph.outputs.map((o) => ({ name: o.name, dtype: o.value.type.dtype })), options.output, modelFile);
  const inputs = await Promise.all(options.input.map(readInputFile));
  const specs: PortSpec[] = graph.inputs.map((v, i) => ({ name: v.name ?? String(i), dtype: v.type.dtype }));
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
  await writeOutputFiles(options.output, results);
}
