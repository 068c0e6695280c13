/**
 * A `scan` body compiled for the wasm target: every body node becomes its own
 * kernel function (the same emitters as top-level kernels), called once per
 * time step from the scan kernel. Body values live in the body's own memory
 * plan, placed in the arena extension after the main arena (so addresses stay
 * affine in N). Invariants that are weights stay constants to body kernels
 * (a GEMM packs them at build time), so `h x U` reads the packed U.
 */
import { graphFacts } from '../../../compiler/ir/constants.js';
import { attr } from '../../../compiler/ir/attrs.js';
import type { Graph, Node, Value } from '../../../compiler/ir/graph.js';
import { getOp } from '../../../compiler/ir/op.js';
import { planMemory, type MemoryPlan } from '../../../compiler/plan/index.js';
import { binaryen, type Expr } from '../binaryen.js';
import { FunctionBuilder, type Getter } from '../func.js';
import { tensorBytes } from '../weights.js';
import type { EmitContext, GraphFacts, KernelEmitter } from './context.js';

/** Where a scan node's operands split: states, then sequences, then invariants. */
export interface ScanOperands {
  numStates: number;
  numSequences: number;
}

/** Facts inside the body: an invariant operand is constant when the scan's operand is. */
export function bodyFacts(scan: Node, body: Graph, operands: ScanOperands, outer: GraphFacts): GraphFacts {
  const firstInvariant = operands.numStates + operands.numSequences;
  return graphFacts(body, (i) => (i >= firstInvariant ? outer.constant(scan.inputs[i]) : undefined));
}

/** Why a body cannot be compiled (naming the op), or null. */
export function bodyUnsupported(body: Graph, facts: GraphFacts, kernelFor: (n: Node, f: GraphFacts) => KernelEmitter | string): string | null {
  const plan = planMemory(body);
  for (const node of body.nodes) {
    const def = getOp(node.op);
    if (def.readsWeight) continue;
    if (def.view) {
      if (plan.values.get(node.outputs[0].id)?.aliasOf === undefined) {
        return `the wasm target does not support a '${node.op}' view of a weight inside a scan body yet`;
      }
      continue;
    }
    if (node.body && node.op === 'scan') return 'the wasm target does not support a scan nested in a scan body yet';
    const found = kernelFor(node, facts);
    if (typeof found === 'string') return `${found} (inside a scan body)`;
  }
  return null;
}

export interface CompiledBody {
  plan: MemoryPlan;
  /** The address of a body value, given the extension's address and the batch. */
  address(v: Value, base: Getter, batch: Getter): Expr;
  /** Ids of the planned buffers (alias roots) some body kernel reads. */
  readRoots: Set<number>;
  /** The calls running one step, in body order. */
  calls(base: Getter, batch: Getter): Expr[];
}

/** Follows views back to the value whose buffer they share. */
function rootOf(plan: MemoryPlan, v: Value): number {
  let id = v.id;
  for (let entry = plan.values.get(id); entry?.aliasOf !== undefined; entry = plan.values.get(id)) id = entry.aliasOf;
  return id;
}

export function compileBody(
  ctx: EmitContext,
  body: Graph,
  facts: GraphFacts,
  kernelFor: (n: Node, f: GraphFacts) => KernelEmitter | string,
): CompiledBody {
  const m = ctx.module;
  const plan = planMemory(body);
  const producers = body.producers();
  const readRoots = new Set<number>();

  const address = (v: Value, base: Getter, batch: Getter): Expr => {
    const producer = producers.get(v.id);
    if (producer && getOp(producer.op).readsWeight) {
      const ref = attr.string(producer.attrs, 'ref');
      const t = body.weights.get(ref);
      if (!t) throw new Error(`weight '${ref}' has no data`);
      return m.i32.const(ctx.weights.place(`weight:${ref}`, () => tensorBytes(t)));
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
    const prefix = `${ctx.prefix}_s${j}`;
    const name = `${prefix}_${node.op}`;
    const arity = node.inputs.length + node.outputs.length;
    const fn = new FunctionBuilder(m, name, new Array<binaryen.Type>(arity + 1).fill(binaryen.i32));
    const read = new Set<number>();
    const bodyCtx: EmitContext = {
      ...facts,
      module: m,
      node,
      fn,
      weights: ctx.weights,
      relaxedSimd: ctx.relaxedSimd,
      operand: (i) => {
        read.add(i);
        return fn.getter(i);
      },
      result: (k) => fn.getter(node.inputs.length + k),
      batch: fn.getter(arity),
      prefix,
      scratch: ctx.scratch,
      extension: () => {
        throw new Error('a kernel inside a scan body asked for the arena extension');
      },
    };
    fn.finish(found.emit(bodyCtx));
    for (const i of read) readRoots.add(rootOf(plan, node.inputs[i]));
    callers.push((base, batch) =>
      m.call(
        name,
        [
          ...node.inputs.map((v, i) => (read.has(i) ? address(v, base, batch) : m.i32.const(0))),
          ...node.outputs.map((v) => address(v, base, batch)),
          batch(),
        ],
        binaryen.none,
      ),
    );
  });
  for (const o of body.outputs) readRoots.add(rootOf(plan, o.value));

  return { plan, address, readRoots, calls: (base, batch) => callers.map((c) => c(base, batch)) };
}
