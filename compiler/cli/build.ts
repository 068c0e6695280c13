/**
 * `tfc build <model> --target wasm --out DIR`: compiles a model into a
 * bundle folder (see compiler/bundle). The model is loaded, lowered and
 * optimized as for `tfc run`; a graph with an op the target cannot compile
 * yet is refused before anything is written. On a terminal each stage is
 * shown on stderr; the summary goes to stdout.
 */
import { assembleBundle, writeBundleDir, BundleWriteError } from '../bundle/index.js';
import { lowerModel } from '../frontend/lower.js';
import { inspectGraphs } from '../inspect.js';
import { loadModelSource } from '../frontend/load.js';
import type { Graph } from '../ir/graph.js';
import { formatType } from '../ir/types.js';
import { verifyGraph } from '../ir/verifier.js';
import { ALIGNMENT, formatAffine } from '../plan/affine.js';
import { compileWasm, WasmUnsupportedError, type WasmArtifact } from '../../targets/wasm/index.js';
import { unsupportedNodes } from '../../targets/wasm/module.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';

export interface BuildOptions extends PipelineFlags {
  target: string;
  out: string;
  model?: string;
}

const TARGETS = ['wasm'];

function parseTargets(list: string): string[] {
  const targets = list.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  for (const t of targets) {
    if (!TARGETS.includes(t)) throw new CliError(`unknown --target '${t}' (targets: ${TARGETS.join(', ')})`);
  }
  if (targets.length === 0) throw new CliError(`--target needs a target (targets: ${TARGETS.join(', ')})`);
  return targets;
}

function progress(stage: string): void {
  if (process.stderr.isTTY) process.stderr.write(`tfc build: ${stage}\n`);
}

/** Refuses a graph the target cannot compile, naming the first unsupported node, before anything is written. */
function checkSupported(graph: Graph, modelFile: string): void {
  const problems = unsupportedNodes(graph);
  if (problems.length === 0) return;
  const { node, reason } = problems[0];
  const index = graph.nodes.indexOf(node);
  const result = node.outputs.map((v) => formatType(v.type)).join(', ');
  const more = problems.length > 1 ? `; ${problems.length - 1} more node(s) are unsupported too` : '';
  throw new CliError(`${modelFile}: ${reason} (node ${index} of the optimized graph, result ${result})${more}`);
}

export async function buildCommand(modelFile: string, options: BuildOptions): Promise<void> {
  parseTargets(options.target);
  progress(`loading ${modelFile}`);
  const spec = await loadModelSource(modelFile, { modelExport: options.model });
  let graph: Graph;
  let imported: Graph;
  try {
    // Lowering is deterministic: the second copy stays as imported, for the build report.
    graph = lowerModel(spec).graph;
    imported = lowerModel(spec).graph;
    verifyGraph(graph);
  } catch (e) {
    throw locate(modelFile, e);
  }
  progress('optimizing');
  optimizeGraph(graph, options);
  const report = inspectGraphs(imported, graph);
  checkSupported(graph, modelFile);
  progress('compiling to WebAssembly');
  let artifact: WasmArtifact;
  let relaxed: WasmArtifact;
  try {
    artifact = compileWasm(graph);
    relaxed = compileWasm(graph, { relaxed: true });
  } catch (e) {
    throw e instanceof WasmUnsupportedError ? new CliError(`${modelFile}: ${e.message}`, { cause: e }) : e;
  }
  const bundle = assembleBundle(graph, artifact, ALIGNMENT, report, relaxed);
  progress(`writing ${options.out}`);
  try {
    await writeBundleDir(options.out, bundle.files);
  } catch (e) {
    throw e instanceof BundleWriteError ? new CliError(e.message, { cause: e }) : e;
  }
  const m = bundle.manifest;
  const rows: [string, string][] = [
    ['kernels', String(m.kernels.count)],
    ['code bytes', String(artifact.wasm.length)],
    ['weight bytes', String(m.weights.bytes)],
    ['peak memory', `${m.memoryPlan.peakBytesAtBatch1} bytes at batch 1 (arena ${formatAffine(m.memoryPlan.arenaBytes)} bytes)`],
  ];
  process.stdout.write(`built ${options.out} (model '${m.name}', target wasm)\n${rows.map(([k, v]) => `  ${k.padEnd(14)}${v}\n`).join('')}`);
}
