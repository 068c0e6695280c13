/**
 * `tfc inspect`: what the optimizing pipeline does to a model: node and
 * kernel counts, remaining ops, planned peak memory against the naive sum
 * of every intermediate tensor, and weight bytes.
 */
import { lowerModel } from '../frontend/lower.js';
import { loadModelSource } from '../frontend/load.js';
import { formatInspectReport, inspectGraphs } from '../inspect.js';
import { verifyGraph } from '../ir/verifier.js';
import { locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';

export interface InspectOptions extends PipelineFlags {
  json?: boolean;
  model?: string;
}

export async function inspectCommand(modelFile: string, options: InspectOptions): Promise<void> {
  const spec = await loadModelSource(modelFile, { modelExport: options.model });
  let imported;
  let optimized;
  try {
    // Lowering is deterministic, so lowering twice gives an untouched copy to compare with.
    imported = lowerModel(spec).graph;
    optimized = lowerModel(spec).graph;
    verifyGraph(imported);
  } catch (e) {
    throw locate(modelFile, e);
  }
  optimizeGraph(optimized, options);
  const report = inspectGraphs(imported, optimized);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
}
