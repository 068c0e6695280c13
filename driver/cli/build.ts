/**
 * `tfc build <model> --target wasm|webgpu|wasm,webgpu --out DIR`: compiles a
 * model into a bundle folder (see compiler/bundle). The model is loaded,
 * lowered and optimized as for `tfc run`; a graph with an op one of the
 * requested targets cannot compile yet is refused before anything is
 * compiled or written. On a terminal each stage is shown on stderr; the
 * summary goes to stdout.
 */
import { WASM_FILE, WGSL_FILE, assembleBundle, type BundleTargets } from '../bundle/index.js';
import { writeBundleDir } from '../bundle/write.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { inspectGraphs } from '../../compiler/inspect.js';
import { loadModelSource } from '../../compiler/frontend/load.js';
import type { Graph, Node } from '../../compiler/ir/graph.js';
import { formatType } from '../../compiler/ir/types.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { ALIGNMENT, formatAffine } from '../../compiler/plan/affine.js';
import { compileWasm, WasmUnsupportedError } from '../../targets/wasm/index.js';
import { unsupportedNodes } from '../../targets/wasm/module.js';
import { compileWebGpu, unsupportedGpuNodes, WebGpuUnsupportedError } from '../../targets/webgpu/index.js';
import { asCliError, checkBuildOut } from './build_out.js';
import { CliError, locate } from './errors.js';
import { optimizeGraph, type PipelineFlags } from './pipeline_options.js';

export interface BuildOptions extends PipelineFlags {
  target: string;
  out: string;
  model?: string;
}

type TargetName = 'wasm' | 'webgpu';

interface TargetCompiler {
  /** The nodes this target cannot compile, each with a sentence naming the op. */
  unsupported(graph: Graph): { node: Node; reason: string }[];
  /** What the progress line says while compiling. */
  stage: string;
  compile(graph: Graph): BundleTargets;
}

const COMPILERS: Readonly<Record<TargetName, TargetCompiler>> = {
  wasm: {
    unsupported: unsupportedNodes,
    stage: 'compiling to WebAssembly',
    compile: (graph) => ({ wasm: compileWasm(graph), relaxed: compileWasm(graph, { relaxed: true }) }),
  },
  webgpu: {
    unsupported: unsupportedGpuNodes,
    stage: 'compiling to WGSL',
    compile: (graph) => ({ webgpu: compileWebGpu(graph) }),
  },
};

const TARGETS = Object.keys(COMPILERS) as TargetName[];

function parseTargets(list: string): TargetName[] {
  const targets = list.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  for (const t of targets) {
    if (!(TARGETS as string[]).includes(t)) throw new CliError(`unknown --target '${t}' (targets: ${TARGETS.join(', ')})`);
  }
  if (targets.length === 0) throw new CliError(`--target needs a target (targets: ${TARGETS.join(', ')})`);
  return TARGETS.filter((t) => targets.includes(t));
}

function progress(stage: string): void {
  if (process.stderr.isTTY) process.stderr.write(`tfc build: ${stage}\n`);
}

/** Refuses a graph the target cannot compile, naming the first unsupported node, before anything is written. */
function checkSupported(graph: Graph, modelFile: string, target: TargetName): void {
  const problems = COMPILERS[target].unsupported(graph);
  if (problems.length === 0) return;
  const { node, reason } = problems[0];
  const index = graph.nodes.indexOf(node);
  const result = node.outputs.map((v) => formatType(v.type)).join(', ');
  const more = problems.length > 1 ? `; ${problems.length - 1} more node(s) are unsupported too` : '';
  throw new CliError(`${modelFile}: ${reason} (target ${target}, node ${index} of the optimized graph, result ${result})${more}`);
}

function compileTarget(graph: Graph, modelFile: string, target: TargetName): BundleTargets {
  progress(COMPILERS[target].stage);
  try {
    return COMPILERS[target].compile(graph);
  } catch (e) {
    if (e instanceof WasmUnsupportedError || e instanceof WebGpuUnsupportedError) throw new CliError(`${modelFile}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** One summary row per target: code size, weights, and its kernels. */
function targetRows(targets: BundleTargets, files: Map<string, Uint8Array>): [string, string][] {
  const rows: [string, string][] = [];
  if (targets.wasm) rows.push(['wasm', `code bytes ${files.get(WASM_FILE)?.length}, weight bytes ${targets.wasm.weights.length}`]);
  if (targets.webgpu) {
    const { weights, layout } = targets.webgpu;
    const code = files.get(WGSL_FILE)?.length;
    rows.push(['webgpu', `code bytes ${code}, weight bytes ${weights.length}, ${layout.kernels.length} shader modules / ${layout.dispatches.length} dispatches`]);
  }
  return rows;
}

export async function buildCommand(modelFile: string, options: BuildOptions): Promise<void> {
  const targets = parseTargets(options.target);
  // --out is checked before the (long) compile and again when the bundle is moved into place.
  const keep = checkBuildOut(modelFile, options.out);
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
  for (const target of targets) checkSupported(graph, modelFile, target);
  const compiled: BundleTargets = Object.assign({}, ...targets.map((t) => compileTarget(graph, modelFile, t)));
  const bundle = assembleBundle(graph, compiled, ALIGNMENT, report);
  progress(`writing ${options.out}`);
  try {
    await writeBundleDir(options.out, bundle.files, keep);
  } catch (e) {
    throw asCliError(e);
  }
  const m = bundle.manifest;
  const rows: [string, string][] = [
    ['kernels', String(m.kernels.count)],
    ['peak memory', `${m.memoryPlan.peakBytesAtBatch1} bytes at batch 1 (arena ${formatAffine(m.memoryPlan.arenaBytes)} bytes)`],
    ...targetRows(compiled, bundle.files),
  ];
  const header = `built ${options.out} (model '${m.name}', ${targets.length > 1 ? 'targets' : 'target'} ${targets.join(', ')})`;
  process.stdout.write(`${header}\n${rows.map(([k, v]) => `  ${k.padEnd(14)}${v}\n`).join('')}`);
}
