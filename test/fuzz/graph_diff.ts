/**
 * Differential testing of the compiled targets against the reference
 * interpreter on random graphs (test/helpers/graph_batch.ts). A batch of
 * seeds becomes one graph of disjoint components, optimized by the full
 * pipeline and compiled once per target; the interpreter runs the graph as
 * generated, and each component's outputs are compared on their own (NaN and
 * ±Inf exactly, the rest by the conformance rule). Batching is what makes
 * thousands of graphs affordable: binaryen -O3 costs 50-200 ms per module
 * and WebGPU pipeline creation on SwiftShader is slow, paid once per batch
 * instead of once per graph. A component a target does not support yet is
 * counted as such and left out of the batch; when compiling the batch fails,
 * each component is compiled alone to name the one at fault.
 */
import { interpret } from '../../compiler/interpreter/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import type { TensorSpec, WebGpuTarget } from '../../runtime/manifest.js';
import { WebGpuExecutor } from '../../runtime/webgpu.js';
import { compileWasm } from '../../targets/wasm/index.js';
import { unsupportedNodes } from '../../targets/wasm/module.js';
import { compileWebGpu, unsupportedGpuNodes } from '../../targets/webgpu/index.js';
import { componentInputs, randomComponent, unionGraphs, type Component } from '../helpers/graph_batch.js';
import { compareWithSpecials } from '../targets/wasm/check.js';
import { loadArtifact } from '../targets/wasm/run_wasm.js';

export type TargetName = 'wasm' | 'webgpu';

export type Status = 'match' | 'unsupported' | 'mismatch' | 'error';

export interface Verdict {
  seed: number;
  target: TargetName;
  status: Status;
  /** Some inputs were NaN / ±Inf. */
  special: boolean;
  detail?: string;
}

/** Runs a compiled graph on inputs at a batch size. */
type Runner = (graph: Graph, inputs: Tensor[], batch: number) => Promise<Tensor[]>;

function optimized(g: Graph): Graph {
  const out = unionGraphs([g]).graph;
  runPasses(out, pipelinePasses());
  return out;
}

function unsupported(target: TargetName, g: Graph): string | undefined {
  const bool = [...g.inputs, ...g.outputs.map((o) => o.value)].find((v) => v.type.dtype === 'bool');
  if (bool) return 'a bool input or output';
  const nodes = target === 'wasm' ? unsupportedNodes(g) : unsupportedGpuNodes(g);
  return nodes.length > 0 ? nodes[0].op : undefined;
}

async function runWasm(graph: Graph, inputs: Tensor[]): Promise<Tensor[]> {
  return (await loadArtifact(compileWasm(graph))).run(inputs);
}

function webGpuRunner(gpu: GPU): Runner {
  return async (graph, inputs, batch) => {
    const artifact = compileWebGpu(graph);
    const spec = (name: string, v: Graph['inputs'][number]): TensorSpec => ({ name, dtype: v.type.dtype === 'i32' ? 'i32' : 'f32', shape: [...v.type.shape] });
    const signature = { inputs: graph.inputs.map((v, i) => spec(v.name ?? `in${i}`, v)), outputs: graph.outputs.map((o) => spec(o.name, o.value)) };
    const { weightPages, ...layout } = artifact.layout;
    const target: WebGpuTarget = { ...layout, file: 'model.wgsl', weights: { file: 'weights.webgpu.bin', bytes: artifact.weights.length, pages: weightPages } };
    const executor = await WebGpuExecutor.create(gpu, artifact.wgsl, new Uint8Array(artifact.weights), target, signature, 'fuzz');
    try {
      const data = inputs.map((t) => (t.dtype === 'i32' ? Int32Array.from(t.data) : Float32Array.from(t.data)));
      const out = await executor.execute(data, batch);
      return out.map((d, j) => ({ dtype: signature.outputs[j].dtype, shape: signature.outputs[j].shape.map((s) => (s === 'N' ? batch : s)), data: d }));
    } finally {
      executor.dispose();
    }
  };
}

export interface DiffOptions {
  target: TargetName;
  /** Needed for webgpu. */
  gpu?: GPU;
}

/** Checks each seed's graph on the target, all supported ones in one compiled module. */
export async function checkSeeds(seeds: readonly number[], options: DiffOptions): Promise<Verdict[]> {
  const { target } = options;
  const run: Runner = target === 'wasm' ? runWasm : webGpuRunner(options.gpu ?? missingGpu());
  const verdicts = new Map<number, Verdict>();
  const kept: { c: Component; special: boolean }[] = [];
  for (const seed of seeds) {
    const special = seed % 4 === 0;
    try {
      const c = randomComponent(seed);
      verifyGraph(c.graph);
      const why = unsupported(target, optimized(c.graph));
      if (why) verdicts.set(seed, { seed, target, status: 'unsupported', special, detail: why });
      else kept.push({ c, special });
    } catch (e) {
      verdicts.set(seed, { seed, target, status: 'error', special, detail: `generating or optimizing: ${(e as Error).message}` });
    }
  }
  if (kept.length > 0) {
    const batch = 1 + (seeds[0] % 3);
    for (const v of await compareComponents(kept, batch, target, run)) verdicts.set(v.seed, v);
  }
  return seeds.map((s) => verdicts.get(s)!);
}

function missingGpu(): never {
  throw new Error('the webgpu target needs a GPU (options.gpu)');
}

async function compareComponents(kept: { c: Component; special: boolean }[], batch: number, target: TargetName, run: Runner): Promise<Verdict[]> {
  const union = unionGraphs(kept.map((k) => k.c.graph));
  const inputs = kept.flatMap((k) => componentInputs(k.c.graph, batch, k.c.seed, k.special));
  let got: Tensor[];
  try {
    const want = interpret(union.graph, inputs);
    got = await run(optimized(union.graph), inputs, batch);
    return kept.map((k, i) => {
      const problems = union.outputsOf[i].flatMap((j) => {
        const problem = compareWithSpecials(got[j], want[j]);
        return problem ? [`output '${union.graph.outputs[j].name}': ${problem}`] : [];
      });
      return { seed: k.c.seed, target, special: k.special, status: problems.length > 0 ? 'mismatch' : 'match', ...(problems.length > 0 ? { detail: `batch ${batch}: ${problems[0]}` } : {}) };
    });
  } catch (e) {
    if (kept.length === 1) return [{ seed: kept[0].c.seed, target, special: kept[0].special, status: 'error', detail: (e as Error).message.slice(0, 500) }];
    // Name the component at fault: each alone.
    const alone: Verdict[] = [];
    for (const k of kept) alone.push(...(await compareComponents([k], batch, target, run)));
    return alone;
  }
}

/** Counts by status, with the seeds that did not match. */
export function summarize(verdicts: readonly Verdict[]): { counts: Record<Status, number>; special: number; bad: Verdict[] } {
  const counts: Record<Status, number> = { match: 0, unsupported: 0, mismatch: 0, error: 0 };
  for (const v of verdicts) counts[v.status]++;
  return { counts, special: verdicts.filter((v) => v.special && v.status !== 'unsupported').length, bad: verdicts.filter((v) => v.status === 'mismatch' || v.status === 'error') };
}
