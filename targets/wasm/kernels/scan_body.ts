/**
 * A `scan` body compiled for the wasm target: every body node becomes its own
 * kernel function (the same emitters as top-level kernels), called once per
 * time step from the scan kernel. Body values live in the body's own memory
 * plan, placed in the arena extension after the main arena (so addresses stay
 * affine in N). Invariants that are weights stay constants to body kernels
 * (a GEMM packs them at build time), so `h x U` reads the packed U.
 */
import type { Graph, Value } from '../../../compiler/ir/graph.js';
import { getOp } from '../../../compiler/ir/op.js';
import { planMemory, type MemoryPlan } from '../../../compiler/plan/index.js';
import type { KernelLookup } from '../../common/kernel_registry.js';
import { rootOf } from '../../common/scan_body.js';
import { weightEntry } from '../../common/weight_blob.js';
import type { Expr } from '../binaryen.js';
import type { Getter } from '../func.js';
import { emitKernelFunction } from '../kernel_function.js';
import type { EmitContext, GraphFacts, KernelEmitter } from './context.js';

export interface CompiledBody {
  plan: MemoryPlan;
  /** The address of a body value, given the extension's address and the batch. */
  address(v: Value, base: Getter, batch: Getter): Expr;
  /** Ids of the planned buffers (alias roots) some body kernel reads. */
  readRoots: Set<number>;
  /** The calls running one step, in body order. */
  calls(base: Getter, batch: Getter): Expr[];
}

export function compileBody(
  ctx: EmitContext,
  body: Graph,
  facts: GraphFacts,
  kernelFor: KernelLookup<KernelEmitter>,
): CompiledBody {
  const m = ctx.module;
  const plan = planMemory(body);
  const producers = body.producers();
  const readRoots = new Set<number>();

  const address = (v: Value, base: Getter, batch: Getter): Expr => {
    const producer = producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) {
      const weight = weightEntry(body, producer);
      return m.i32.const(ctx.weights.place(weight.key, weight.bytes));
    }
    const entry = plan.values.get(v.id);
    if (!entry) throw new Error(`scan body value %${v.id} has no place in the body's memory plan`);
    const { base: offset, perBatch } = entry.offset;
    let at = m.i32.add(base(), m.i32.const(offset));
    if (perBatch !== 0) at = m.i32.add(at, m.i32.mul(batch(), m.i32.const(perBatch)));
    return at;
  };

  const callers: ((base: Getter, batch: Getter) => Expr)[] = [];
  body.nodes.forEach((node, j) => {
    const def = getOp(node.op);
    if (def.readsWeight || def.view) return;
    const found = kernelFor(node, facts);
    if (typeof found === 'string') throw new Error(found);
    const kernel = emitKernelFunction(
      {
        ...facts,
        module: m,
        weights: ctx.weights,
        relaxedSimd: ctx.relaxedSimd,
        scratch: ctx.scratch,
        extension: () => {
          throw new Error('a kernel inside a scan body asked for the arena extension');
        },
      },
      node,
      found,
      `${ctx.prefix}_s${j}`,
    );
    for (const i of kernel.read) readRoots.add(rootOf(plan, node.inputs[i]));
    callers.push((base, batch) => kernel.call((v) => address(v, base, batch), batch));
  });
  for (const o of body.outputs) readRoots.add(rootOf(plan, o.value));

  return { plan, address, readRoots, calls: (base, batch) => callers.map((c) => c(base, batch)) };
}
