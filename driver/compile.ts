/**
 * The compile API: `compile(model)` loads a model (a DSL module, a TF.js
 * `model.json`, a Keras `.keras` or `.h5`), lowers and optimizes it as
 * `tfc run` does, compiles it for the requested targets and assembles the
 * bundle in memory (files, manifest, summary, and the files the model was
 * read from). A graph with an op one of the targets cannot compile yet is
 * refused before anything is compiled. `tfc build` is this plus
 * writeBundle (write.ts).
 */
import path from 'node:path';
import { inspectGraphs } from '../compiler/inspect.js';
import { lowerForTargets } from '../compiler/passes/lowering.js';
import { loadModelSource } from '../compiler/frontend/load.js';
import { lowerModel } from '../compiler/frontend/lower.js';
import { recordReads } from '../compiler/io/read_log.js';
import type { Graph } from '../compiler/ir/graph.js';
import { formatType } from '../compiler/ir/types.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import type { ModelSpec } from '../compiler/layers/layer.js';
import { planMemory, type MemoryPlan } from '../compiler/plan/index.js';
import type { Affine, BundleManifest } from '../runtime/manifest.js';
import { UnsupportedOpError } from '../targets/common/support.js';
import type { Target } from '../targets/common/target.js';
import { WASM_TARGET } from '../targets/wasm/index.js';
import { WEBGPU_TARGET } from '../targets/webgpu/index.js';
import { assembleBundle, RUNTIME_MODES, WASM_FILE, WGSL_FILE, type BundleTargets, type RuntimeMode } from './bundle/index.js';
import { CompileError, OptionError, toCompileError } from './errors.js';
import { optimize, type PipelineOptions } from './optimize.js';
import { BuildTimings } from './timings.js';

export type TargetName = 'wasm' | 'webgpu';

/** How the generated loader (`index.js`) imports the runtime: `'bundled'` or `'package'`. */
export type RuntimeImport = RuntimeMode;

export interface CompileOptions extends PipelineOptions {
  /** The targets to compile for (default `['wasm']`). */
  targets?: readonly TargetName[];
  /** The export of a DSL module that holds the model (default: its default export). */
  modelExport?: string;
  /** `'bundled'` (default): the loader imports a runtime copied into the bundle; `'package'`: it imports the `tfc-runtime` package. */
  runtime?: RuntimeImport;
  /** Called as each stage starts: `loading <model>`, `optimizing`, `compiling to WebAssembly`, `compiling to WGSL`, `assembling the bundle`. */
  onProgress?: (stage: string) => void;
  /** Records where the build's time goes, phase by phase (`tfc build --timings`); read it with `timings.phases()` afterwards. */
  timings?: BuildTimings;
}

/** One target's row of the build summary. */
export type TargetSummary =
  | { target: 'wasm'; codeBytes: number; weightBytes: number }
  | { target: 'webgpu'; codeBytes: number; weightBytes: number; shaderModules: number; dispatches: number };

/** What `tfc build` prints after a build. */
export interface BundleSummary {
  /** Kernels after optimization. */
  kernels: number;
  /** Planned activation memory at batch size 1, in bytes. */
  peakBytesAtBatch1: number;
  /** The activation arena in bytes as a function of the batch size N: base + perBatch * N. */
  arenaBytes: Affine;
  targets: readonly TargetSummary[];
}

export interface CompiledBundle {
  /** The model's name. */
  name: string;
  manifest: BundleManifest;
  /** File name → bytes, manifest.json included. */
  files: ReadonlyMap<string, Uint8Array>;
  summary: BundleSummary;
  /**
   * Absolute paths of every file the model was read from: the model file,
   * its weight files, and for a DSL module the local modules it imported and
   * the weight files it loaded. For watchers and caches.
   */
  sources: readonly string[];
}

/** The target table: each entry one code generator (targets/common/target.ts). */
const COMPILERS: Readonly<Record<TargetName, Target<BundleTargets>>> = { wasm: WASM_TARGET, webgpu: WEBGPU_TARGET };

/** Every target, in the order a bundle lists them. */
export const TARGET_NAMES: readonly TargetName[] = ['wasm', 'webgpu'];

/** The requested targets in canonical order, each once; an unknown name is an OptionError. */
function checkTargets(targets: readonly string[]): TargetName[] {
  for (const t of targets) {
    if (!(TARGET_NAMES as readonly string[]).includes(t)) throw new OptionError(`unknown target '${t}' (targets: ${TARGET_NAMES.join(', ')})`);
  }
  if (targets.length === 0) throw new OptionError(`no target given (targets: ${TARGET_NAMES.join(', ')})`);
  return TARGET_NAMES.filter((t) => targets.includes(t));
}

function checkRuntime(runtime: string): RuntimeImport {
  if (!(RUNTIME_MODES as readonly string[]).includes(runtime)) {
    throw new OptionError(`unknown runtime '${runtime}' (one of: ${RUNTIME_MODES.join(', ')})`);
  }
  return runtime as RuntimeImport;
}

/** Refuses a graph the target cannot compile, naming the first unsupported node. */
function checkSupported(graph: Graph, model: string, target: TargetName): void {
  const problems = COMPILERS[target].unsupported(graph);
  if (problems.length === 0) return;
  const { node, reason } = problems[0];
  const index = graph.nodes.indexOf(node);
  const result = node.outputs.map((v) => formatType(v.type)).join(', ');
  const more = problems.length > 1 ? `; ${problems.length - 1} more node(s) are unsupported too` : '';
  throw new CompileError(`${model}: ${reason} (target ${target}, node ${index} of the optimized graph, result ${result})${more}`, { file: model });
}

function compileTarget(graph: Graph, plan: MemoryPlan, model: string, target: TargetName, timings: BuildTimings): BundleTargets {
  try {
    return timings.time(target, () => COMPILERS[target].compile(graph, plan, timings));
  } catch (e) {
    if (e instanceof UnsupportedOpError) throw new CompileError(`${model}: ${e.message}`, { file: model }, { cause: e });
    throw e;
  }
}

function targetSummaries(targets: BundleTargets, files: ReadonlyMap<string, Uint8Array>): TargetSummary[] {
  const rows: TargetSummary[] = [];
  const size = (name: string): number => files.get(name)?.length ?? 0;
  if (targets.wasm) rows.push({ target: 'wasm', codeBytes: size(WASM_FILE), weightBytes: targets.wasm.weights.length });
  if (targets.webgpu) {
    const { weights, layout } = targets.webgpu;
    rows.push({ target: 'webgpu', codeBytes: size(WGSL_FILE), weightBytes: weights.length, shaderModules: layout.kernels.length, dispatches: layout.dispatches.length });
  }
  return rows;
}

/** Loads the model, recording every file it is read from. */
async function load(model: string, modelExport: string | undefined): Promise<{ spec: ModelSpec; sources: string[] }> {
  const modules: string[] = [];
  const { result: spec, files } = await recordReads(() => loadModelSource(model, { modelExport, onModuleFile: (file) => modules.push(file) }));
  const sources = new Set([path.resolve(model), ...modules, ...files]);
  return { spec, sources: [...sources] };
}

async function compileModel(model: string, options: CompileOptions): Promise<CompiledBundle> {
  const targets = checkTargets(options.targets ?? ['wasm']);
  const runtime = checkRuntime(options.runtime ?? 'bundled');
  const progress = options.onProgress ?? ((): void => {});
  const timings = options.timings ?? new BuildTimings();
  progress(`loading ${model}`);
  const { spec, sources } = await timings.timeAsync('load model', () => load(model, options.modelExport));
  let graph: Graph;
  let imported: Graph;
  try {
    // The copy stays as imported, for the build report.
    graph = timings.time('lower to IR', () => lowerModel(spec).graph);
    imported = graph.clone();
    verifyGraph(graph);
  } catch (e) {
    throw toCompileError(e, model, model);
  }
  progress('optimizing');
  timings.time('optimize', () => optimize(graph, options, timings));
  // Targets implement only the canonical op forms, whatever the pipeline flags skipped.
  timings.time('lower for targets', () => lowerForTargets(graph));
  for (const target of targets) checkSupported(graph, model, target);
  // One memory plan for the whole build: the report, every target and the bundle read it.
  const plan = timings.time('memory plan', () => planMemory(graph));
  const report = timings.time('build report', () => inspectGraphs(imported, graph, plan));
  const compiled: BundleTargets = {};
  for (const target of targets) {
    progress(COMPILERS[target].stage);
    Object.assign(compiled, compileTarget(graph, plan, model, target, timings));
  }
  progress('assembling the bundle');
  const { manifest, files } = timings.time('assemble bundle', () => assembleBundle(graph, compiled, plan, report, { runtime }));
  const summary: BundleSummary = {
    kernels: manifest.kernels.count,
    peakBytesAtBatch1: manifest.memoryPlan.peakBytesAtBatch1,
    arenaBytes: { ...manifest.memoryPlan.arenaBytes },
    targets: targetSummaries(compiled, files),
  };
  return { name: manifest.name, manifest, files, summary, sources };
}

/**
 * Compiles the model at `model` (a path) into an in-memory bundle. A problem
 * the user can fix is a CompileError naming it and where it is; anything
 * else is a bug in tfc.
 */
export async function compile(model: string, options: CompileOptions = {}): Promise<CompiledBundle> {
  try {
    return await compileModel(model, options);
  } catch (e) {
    throw toCompileError(e, model);
  }
}
