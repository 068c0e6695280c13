/**
 * Compiles a planned graph into the WebGPU dispatch list: every non-view node
 * becomes the dispatches of its kernel emitter (kernels/index.ts) in graph
 * order, each shader assembled by wgsl.ts, identical modules shared. Buffers:
 *
 *   arena     one buffer: the memory plan's arena, then an extension for
 *             kernel scratch (temps, loop bodies), sizes affine in N
 *   weights   the weights file in pages (weights.ts), read-only
 *
 * `const` results live in the weights; views share their operand's bytes
 * (the plan aliases them), except a view of a weight, which is copied.
 */
import { graphFacts } from '../../compiler/ir/constants.js';
import type { Graph, Node, Value } from '../../compiler/ir/graph.js';
import { getOp } from '../../compiler/ir/op.js';
import { addAffine, alignAffine, maxAffine, staticAffine } from '../../compiler/plan/affine.js';
import { checkPlanFits, type Affine, type MemoryPlan } from '../../compiler/plan/index.js';
import { WEBGPU_ARENA_LIMIT_BYTES } from '../../compiler/limits.js';
import { requireKernel, UnsupportedOpError, unsupportedNodes, type UnsupportedNode } from '../common/support.js';
import { WeightBlob, weightEntry, type WeightPage } from '../common/weight_blob.js';
import type { GpuDispatch, GpuEmitContext, GraphFacts, GridDim, Region } from './kernels/context.js';
import { copyBytesDispatch } from './kernels/copy_bytes.js';
import { GPU_KERNELS } from './kernels/index.js';
import { assembleShader, type BindingKind } from './wgsl.js';
import { GPU_BLOB } from './weights.js';

/** A node the WebGPU target cannot compile yet. */
export class WebGpuUnsupportedError extends UnsupportedOpError {
  override readonly name = 'WebGpuUnsupportedError';
}

/** A bound byte range: the arena (page 0) or one weights page. */
export interface BufferRange {
  space: 'arena' | 'weights';
  page: number;
  offset: Affine;
  size: Affine;
}

export interface CompiledKernel {
  code: string;
  bindings: BindingKind[];
}

export interface CompiledDispatch {
  label: string;
  kernel: number;
  bindings: BufferRange[];
  grid: GridDim[];
  step: number;
}

export interface CompiledGraph {
  kernels: CompiledKernel[];
  dispatches: CompiledDispatch[];
  weights: Uint8Array;
  weightPages: WeightPage[];
  arenaBytes: Affine;
  /** Uniform slots the runtime fills: slot s holds {n: N, t: s}. */
  steps: number;
  locate(v: Value): BufferRange;
}

/** Every node that becomes a kernel and has none, with why. */
export function unsupportedGpuNodes(graph: Graph): UnsupportedNode[] {
  return unsupportedNodes(graph, GPU_KERNELS);
}

class DispatchListBuilder {
  private readonly weights = new WeightBlob(GPU_BLOB);
  private readonly producers: Map<number, Node>;
  private readonly facts: GraphFacts;
  private extension: Affine = staticAffine(0);
  private readonly dispatches: GpuDispatch[] = [];

  constructor(
    private readonly graph: Graph,
    private readonly plan: MemoryPlan,
  ) {
    checkPlanFits(graph, this.plan, 'webgpu', WEBGPU_ARENA_LIMIT_BYTES);
    this.producers = graph.producers();
    this.facts = graphFacts(graph);
  }

  private weightRegion(key: string, bytes: () => Uint8Array): Region {
    const { at, length } = this.weights.place(key, bytes);
    return { space: 'weights', offset: staticAffine(at), size: staticAffine(length) };
  }

  /** Where a top-level value's bytes are. */
  locate(v: Value): Region {
    const producer = this.producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) return this.weightOf(producer);
    const entry = this.plan.values.get(v.id);
    if (!entry) throw new Error(`value %${v.id} has no place in the memory plan`);
    return { space: 'arena', offset: entry.offset, size: entry.size };
  }

  /** The region of a `const` node's weight (of any graph sharing the weight table). */
  weightOf(node: Node): Region {
    const weight = weightEntry(this.graph, node);
    return this.weightRegion(weight.key, weight.bytes);
  }

  private context(node: Node, index: number, locate: (v: Value) => Region, tempBase: Affine, facts: GraphFacts): GpuEmitContext {
    let next = tempBase;
    const tempRegion = (size: Affine): Region => {
      const at = next;
      next = addAffine(next, alignAffine(size));
      this.extension = maxAffine(this.extension, next);
      return { space: 'arena', offset: addAffine(this.plan.arena, at), size };
    };
    const ctx: GpuEmitContext = {
      ...facts,
      node,
      label: `k${index} ${node.op}`,
      region: locate,
      weight: (constNode) => this.weightOf(constNode),
      operand: (i, name) => ({ name, element: elementOf(node.inputs[i]), region: locate(node.inputs[i]) }),
      result: (k, name) => ({ name, element: elementOf(node.outputs[k]), region: locate(node.outputs[k]) }),
      temp: tempRegion,
      constantBytes: (key, bytes) => this.weightRegion(`derived:${key}`, bytes),
      emitNested: (inner, innerLocate, innerFacts) => this.emitWith(inner, index, innerLocate, next, innerFacts ?? this.facts),
    };
    return ctx;
  }

  private emitWith(node: Node, index: number, locate: (v: Value) => Region, tempBase: Affine, facts: GraphFacts): GpuDispatch[] {
    const found = requireKernel(GPU_KERNELS, node, index, facts, WebGpuUnsupportedError);
    return found.emit(this.context(node, index, locate, tempBase, facts));
  }

  build(): CompiledGraph {
    this.graph.nodes.forEach((node, i) => {
      const def = getOp(node.op);
      if (def.readsWeight) return;
      if (def.view) {
        const entry = this.plan.values.get(node.outputs[0].id);
        if (entry && entry.aliasOf === undefined) {
          this.dispatches.push(copyBytesDispatch(`k${i} ${node.op} (copy of a weight)`, this.locate(node.inputs[0]), this.locate(node.outputs[0])));
        }
        return;
      }
      this.dispatches.push(...this.emitWith(node, i, (v) => this.locate(v), staticAffine(0), this.facts));
    });
    for (const o of this.graph.outputs) this.locate(o.value);
    const kernels: CompiledKernel[] = [];
    const byCode = new Map<string, number>();
    let steps = 1;
    const toRange = (r: Region): BufferRange => {
      if (r.space === 'arena') return { space: 'arena', page: 0, offset: r.offset, size: r.size };
      const { page, offset } = this.weights.locate(r.offset.base);
      return { space: 'weights', page, offset: staticAffine(offset), size: r.size };
    };
    const dispatches = this.dispatches.map((d): CompiledDispatch => {
      const shader = assembleShader(d);
      let kernel = byCode.get(shader.code);
      if (kernel === undefined) {
        kernel = kernels.length;
        kernels.push({ code: shader.code, bindings: shader.kinds });
        byCode.set(shader.code, kernel);
      }
      const step = d.step ?? 0;
      steps = Math.max(steps, step + 1);
      return { label: d.label, kernel, bindings: shader.regions.map(toRange), grid: d.grid, step };
    });
    return {
      kernels,
      dispatches,
      weights: this.weights.bytes(),
      weightPages: this.weights.pages(),
      arenaBytes: addAffine(this.plan.arena, this.extension),
      steps,
      locate: (v) => toRange(this.locate(v)),
    };
  }
}

function elementOf(v: Value): 'f32' | 'i32' | 'u32' {
  return v.type.dtype === 'bool' ? 'u32' : v.type.dtype;
}

/** Builds the dispatch list of an optimized graph whose memory plan is `plan`; throws WebGpuUnsupportedError for the first node it cannot compile. */
export function compileDispatchList(graph: Graph, plan: MemoryPlan): CompiledGraph {
  return new DispatchListBuilder(graph, plan).build();
}
