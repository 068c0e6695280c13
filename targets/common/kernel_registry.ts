/**
 * The support table every target declares as data: op name -> kernel emitter.
 * A `fused` node goes by its form: an elementwise body to the target's fused
 * elementwise emitter, an epilogue body to the emitter of its anchor op. An op
 * missing from the table is unsupported, and the explanation names it; `const`
 * and views need no kernel (the module assemblers handle them).
 *
 * Generic over what an emitter sees (`Ctx`) and returns (`Out`): a wasm
 * function body, or WebGPU dispatches.
 */
import type { GraphFacts } from '../../compiler/ir/constants.js';
import type { Node } from '../../compiler/ir/graph.js';
import { OP } from '../../compiler/ir/op_types.js';
import { kernelForm } from '../../compiler/ops/fused.js';

export type { GraphFacts } from '../../compiler/ir/constants.js';

export interface KernelEmitter<Ctx extends { node: Node }, Out> {
  /** Why this node cannot be compiled (one sentence naming the op), or null. */
  unsupported(node: Node, facts: GraphFacts): string | null;
  emit(ctx: Ctx): Out;
}

/** The emitter for a node, or an explanation (naming the op) of why there is none. */
export type KernelLookup<E> = (node: Node, facts: GraphFacts) => E | string;

export interface KernelTable<E> {
  /** Emitters by op name. */
  kernels: Readonly<Record<string, E>>;
  /** Emitters of `fused` epilogue kernels, by their anchor op. */
  epilogues: Readonly<Record<string, E>>;
  /** The emitter of `fused` elementwise kernels. */
  fusedElementwise?: E;
}

export interface KernelRegistry<E> {
  /** The target's name as errors say it ('wasm', 'webgpu'). */
  target: string;
  kernelFor: KernelLookup<E>;
  /** The op a node is reported as when unsupported: a fused epilogue kernel by its anchor. */
  reportedOp(node: Node): string;
}

/** The op a node is reported as when unsupported: a fused epilogue kernel by its anchor. */
export function reportedOp(node: Node): string {
  if (node.op === OP.fused && node.body && kernelForm(node.body) === 'epilogue') return node.body.nodes[0].op;
  return node.op;
}

/**
 * Builds a target's registry. `table` receives the registry itself, so
 * kernels that compile nested graphs (a `scan` body) use this same table.
 */
export function kernelRegistry<Ctx extends { node: Node }, Out>(
  target: string,
  table: (registry: KernelRegistry<KernelEmitter<Ctx, Out>>) => KernelTable<KernelEmitter<Ctx, Out>>,
): KernelRegistry<KernelEmitter<Ctx, Out>> {
  type Emitter = KernelEmitter<Ctx, Out>;
  const notSupported = (op: string): string => `the ${target} target does not support op '${op}' yet`;
  const entry = (emitters: Readonly<Record<string, Emitter>>, op: string): Emitter | undefined => (Object.hasOwn(emitters, op) ? emitters[op] : undefined);

  /** The emitter for a fused body's form, or why there is none. */
  const formEmitter = (node: Node): Emitter | string => {
    if (!node.body) return 'fused node without a body';
    if (kernelForm(node.body) === 'elementwise') return built.fusedElementwise ?? `the ${target} target does not support fused elementwise kernels yet`;
    const anchor = node.body.nodes[0].op;
    return entry(built.epilogues, anchor) ?? notSupported(anchor);
  };

  const fusedKernel: Emitter = {
    unsupported(node, facts) {
      const emitter = formEmitter(node);
      return typeof emitter === 'string' ? emitter : emitter.unsupported(node, facts);
    },
    emit(ctx) {
      const emitter = formEmitter(ctx.node);
      if (typeof emitter === 'string') throw new Error(emitter);
      return emitter.emit(ctx);
    },
  };

  const kernelFor = (node: Node, facts: GraphFacts): Emitter | string => {
    const emitter = node.op === OP.fused ? fusedKernel : entry(built.kernels, node.op);
    if (!emitter) return notSupported(reportedOp(node));
    return emitter.unsupported(node, facts) ?? emitter;
  };

  const registry = { target, kernelFor, reportedOp };
  const built = table(registry);
  return registry;
}
