/**
 * Assembles the whole-model module: one function per kernel node, one
 * exported `run(batch)` that calls them in graph order with addresses from
 * the memory plan, and the linear-memory layout
 *
 *   [0, WEIGHTS_OFFSET)   unused (address 0 stays invalid)
 *   weights               raw and pre-packed weights, 16-byte aligned entries
 *   scratch               one buffer shared by kernels that stage data (static size)
 *   arena                 the memory plan's arena, 256-aligned, size affine in N
 *   extension             one buffer after the arena shared by kernels (scan bodies), size affine in N
 *
 * `const` results live in the weights; views share their operand's bytes
 * (the plan aliases them), except a view of a weight, which is copied into
 * its own arena buffer.
 */
import { graphFacts } from '../../compiler/ir/constants.js';
import type { Graph, Node, Value } from '../../compiler/ir/graph.js';
import { getOp } from '../../compiler/ir/op.js';
import { attr } from '../../compiler/ir/attrs.js';
import { ALIGNMENT, checkPlanFits, evalAffine, planMemory, type Affine, type MemoryPlan } from '../../compiler/plan/index.js';
import { WASM_MEMORY_LIMIT_BYTES } from '../../compiler/limits.js';
import { binaryen, createModule, emitBytes, optimizeModule, type Expr, type Module } from './binaryen.js';
import { FunctionBuilder } from './func.js';
import type { EmitContext, GraphFacts } from './kernels/context.js';
import { kernelFor, reportedOp } from './kernels/index.js';
import { tensorBytes, WeightsBuilder } from './weights.js';

export const WEIGHTS_OFFSET = 256;
/** The immutable global holding the scratch region's address (set once the weights are laid out). */
const SCRATCH_GLOBAL = 'scratch';
/** The mutable global holding the extension's address; `run` sets it from the batch. */
const EXTENSION_GLOBAL = 'extension';
const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;

/** A node the wasm target cannot compile yet. */
export class WasmUnsupportedError extends Error {
  constructor(
    message: string,
    readonly op: string,
  ) {
    super(message);
    this.name = 'WasmUnsupportedError';
  }
}

/** Where a value's bytes are: an absolute address affine in the batch. */
export type Location = Affine;

export interface AssembledModule {
  wasm: Uint8Array<ArrayBuffer>;
  text?: string;
  weights: Uint8Array;
  arenaOffset: number;
  arena: Affine;
  locate(v: Value): Location;
}

function describeNode(node: Node): string {
  const v = node.outputs[0];
  return v ? `value %${v.id}${v.name !== undefined ? ` '${v.name}'` : ''}` : node.op;
}


/** Every node that is neither a weight read nor a view, with its emitter or why it has none. */
export function unsupportedNodes(graph: Graph): { node: Node; op: string; reason: string }[] {
  const facts = graphFacts(graph);
  const out: { node: Node; op: string; reason: string }[] = [];
  for (const node of graph.nodes) {
    const def = getOp(node.op);
    if (def.readsWeight || def.view) continue;
    const found = kernelFor(node, facts);
    if (typeof found === 'string') out.push({ node, op: reportedOp(node), reason: found });
  }
  return out;
}

class Assembler {
  readonly module: Module;
  readonly weights = new WeightsBuilder(WEIGHTS_OFFSET);
  private readonly plan: MemoryPlan;
  private readonly producers: Map<number, Node>;
  private readonly facts: GraphFacts;
  private arenaOffset = -1;
  private scratchBytes = 0;
  private extension: Affine = { base: 0, perBatch: 0 };

  constructor(
    private readonly graph: Graph,
    private readonly relaxedSimd: boolean,
  ) {
    this.module = createModule({ relaxedSimd });
    // memory.copy (views of weights) needs binaryen's bulk-memory-opt feature too.
    this.module.setFeatures(this.module.getFeatures() | binaryen.Features.BulkMemoryOpt);
    // Kernels need the memory to exist; its initial size is set once the layout is known.
    this.module.setMemory(1, MAX_PAGES, 'memory');
    this.plan = planMemory(graph);
    checkPlanFits(graph, this.plan, 'wasm', WASM_MEMORY_LIMIT_BYTES);
    this.producers = graph.producers();
    this.facts = graphFacts(graph);
  }

  /** A weight's address, placing it on first use. */
  private weightAddress(node: Node): number {
    const ref = attr.string(node.attrs, 'ref');
    const t = this.graph.weights.get(ref);
    if (!t) throw new Error(`weight '${ref}' has no data`);
    return this.weights.place(`weight:${ref}`, () => tensorBytes(t));
  }

  locate(v: Value): Location {
    const producer = this.producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) return { base: this.weightAddress(producer), perBatch: 0 };
    const entry = this.plan.values.get(v.id);
    if (!entry) throw new Error(`value %${v.id} has no place in the memory plan`);
    if (this.arenaOffset < 0) throw new Error('arena addresses are asked for before the weights are laid out');
    return { base: this.arenaOffset + entry.offset.base, perBatch: entry.offset.perBatch };
  }

  private address(v: Value, batch: () => Expr): Expr {
    const m = this.module;
    const { base, perBatch } = this.locate(v);
    if (perBatch === 0) return m.i32.const(base);
    return m.i32.add(m.i32.const(base), m.i32.mul(batch(), m.i32.const(perBatch)));
  }

  /** Emits node i's kernel function; returns the call `run` makes, once addresses are known. */
  private emitKernel(node: Node, index: number): (batch: () => Expr) => Expr {
    const found = kernelFor(node, this.facts);
    if (typeof found === 'string') {
      throw new WasmUnsupportedError(`${found} (${describeNode(node)}, node ${index})`, reportedOp(node));
    }
    const m = this.module;
    const name = `k${index}_${node.op}`;
    const arity = node.inputs.length + node.outputs.length;
    const fn = new FunctionBuilder(m, name, new Array<binaryen.Type>(arity + 1).fill(binaryen.i32));
    const read = new Set<number>();
    const ctx: EmitContext = {
      ...this.facts,
      module: m,
      node,
      fn,
      weights: this.weights,
      relaxedSimd: this.relaxedSimd,
      operand: (i) => {
        read.add(i);
        return fn.getter(i);
      },
      result: (k) => fn.getter(node.inputs.length + k),
      batch: fn.getter(arity),
      prefix: `k${index}`,
      scratch: (bytes) => {
        this.scratchBytes = Math.max(this.scratchBytes, bytes);
        return () => m.global.get(SCRATCH_GLOBAL, binaryen.i32);
      },
      extension: (size) => {
        const up = (bytes: number): number => Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
        this.extension = { base: Math.max(this.extension.base, up(size.base)), perBatch: Math.max(this.extension.perBatch, up(size.perBatch)) };
        return () => m.global.get(EXTENSION_GLOBAL, binaryen.i32);
      },
    };
    fn.finish(found.emit(ctx));
    // Weights a kernel never reads (a GEMM's B, packed instead) are not laid out.
    for (const i of read) this.locateWeightOperand(node.inputs[i]);
    return (batch) => {
      const args = [
        ...node.inputs.map((v, i) => (read.has(i) ? this.address(v, batch) : m.i32.const(0))),
        ...node.outputs.map((v) => this.address(v, batch)),
        batch(),
      ];
      return m.call(name, args, binaryen.none);
    };
  }

  private locateWeightOperand(v: Value): void {
    const producer = this.producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) this.weightAddress(producer);
  }

  /** A view the plan did not alias (a view of a weight): copy its operand's bytes. */
  private emitViewCopy(node: Node): ((batch: () => Expr) => Expr) | undefined {
    const entry = this.plan.values.get(node.outputs[0].id);
    if (!entry || entry.aliasOf !== undefined) return undefined;
    this.locateWeightOperand(node.inputs[0]);
    const m = this.module;
    return (batch) => {
      const size = entry.size;
      const bytes = size.perBatch === 0 ? m.i32.const(size.base) : m.i32.add(m.i32.const(size.base), m.i32.mul(batch(), m.i32.const(size.perBatch)));
      return m.memory.copy(this.address(node.outputs[0], batch), this.address(node.inputs[0], batch), bytes);
    };
  }

  assemble(optimize: boolean, withText: boolean): AssembledModule {
    const m = this.module;
    const calls: ((batch: () => Expr) => Expr)[] = [];
    this.graph.nodes.forEach((node, i) => {
      const def = getOp(node.op);
      if (def.readsWeight) return;
      const call = def.view ? this.emitViewCopy(node) : this.emitKernel(node, i);
      if (call) calls.push(call);
    });
    // Weights used as graph outputs are laid out too.
    for (const o of this.graph.outputs) this.locateWeightOperand(o.value);
    const scratchOffset = Math.ceil((WEIGHTS_OFFSET + this.weights.byteLength) / ALIGNMENT) * ALIGNMENT;
    if (this.scratchBytes > 0) m.addGlobal(SCRATCH_GLOBAL, binaryen.i32, false, m.i32.const(scratchOffset));
    this.arenaOffset = Math.ceil((scratchOffset + this.scratchBytes) / ALIGNMENT) * ALIGNMENT;
    const batch = (): Expr => m.local.get(0, binaryen.i32);
    const body = calls.map((c) => c(batch));
    const arena = this.plan.arena;
    if (this.extension.base > 0 || this.extension.perBatch > 0) {
      m.addGlobal(EXTENSION_GLOBAL, binaryen.i32, true, m.i32.const(0));
      const start = m.i32.add(m.i32.const(this.arenaOffset + arena.base), m.i32.mul(batch(), m.i32.const(arena.perBatch)));
      body.unshift(m.global.set(EXTENSION_GLOBAL, start));
    }
    const total: Affine = { base: arena.base + this.extension.base, perBatch: arena.perBatch + this.extension.perBatch };
    m.addFunction('run', binaryen.createType([binaryen.i32]), binaryen.none, [], m.block(null, body));
    m.addFunctionExport('run', 'run');
    const initialBytes = this.arenaOffset + evalAffine(total, 1);
    checkPlanFits(this.graph, { ...this.plan, arena: total }, 'wasm', WASM_MEMORY_LIMIT_BYTES, this.arenaOffset);
    m.removeExport('memory');
    m.setMemory(Math.max(1, Math.ceil(initialBytes / PAGE_BYTES)), MAX_PAGES, 'memory');
    if (!m.validate()) throw new Error('wasm target: the emitted module failed validation');
    if (optimize) optimizeModule(m);
    return {
      wasm: emitBytes(m),
      ...(withText ? { text: m.emitText() } : {}),
      weights: this.weights.bytes(),
      arenaOffset: this.arenaOffset,
      arena: total,
      locate: (v) => this.locate(v),
    };
  }

  dispose(): void {
    this.module.dispose();
  }
}

/**
 * Compiles an optimized graph into one module; throws WasmUnsupportedError for the first node it cannot compile.
 * `relaxed` only changes the GEMM inner products (to f32x4.relaxed_madd): layout and weights stay the same.
 */
export function assembleModule(graph: Graph, options: { optimize?: boolean; text?: boolean; relaxed?: boolean } = {}): AssembledModule {
  const assembler = new Assembler(graph, options.relaxed ?? false);
  try {
    return assembler.assemble(options.optimize ?? true, options.text ?? false);
  } finally {
    assembler.dispose();
  }
}
