/**
 * One kernel node as one WASM function `(operand addresses..., result
 * addresses..., batch) -> ()`: the emitter writes its body, and the caller
 * (`run`, or a scan step) calls it with addresses it computes. Operands the
 * kernel never reads (a GEMM's weight, packed at build time instead) are
 * passed as 0, so their bytes need not be laid out.
 */
import type { Node, Value } from '../../compiler/ir/graph.js';
import { binaryen, type Expr } from './binaryen.js';
import { FunctionBuilder, type Getter } from './func.js';
import type { EmitContext, KernelEmitter } from './kernels/context.js';

/** What a kernel's context shares with the code around it. */
export type KernelEnvironment = Omit<EmitContext, 'node' | 'fn' | 'operand' | 'result' | 'batch' | 'prefix'>;

export interface KernelFunction {
  /** The operands the kernel reads. */
  read: ReadonlySet<number>;
  /** The call, given where each of the node's values is and the batch. */
  call(address: (v: Value) => Expr, batch: Getter): Expr;
}

/** Adds `node`'s kernel function, named `${prefix}_${op}`, to the environment's module. */
export function emitKernelFunction(env: KernelEnvironment, node: Node, emitter: KernelEmitter, prefix: string): KernelFunction {
  const m = env.module;
  const name = `${prefix}_${node.op}`;
  const arity = node.inputs.length + node.outputs.length;
  const fn = new FunctionBuilder(m, name, new Array<binaryen.Type>(arity + 1).fill(binaryen.i32));
  const read = new Set<number>();
  fn.finish(
    emitter.emit({
      ...env,
      node,
      fn,
      operand: (i) => {
        read.add(i);
        return fn.getter(i);
      },
      result: (k) => fn.getter(node.inputs.length + k),
      batch: fn.getter(arity),
      prefix,
    }),
  );
  return {
    read,
    call: (address, batch) =>
      m.call(name, [...node.inputs.map((v, i) => (read.has(i) ? address(v) : m.i32.const(0))), ...node.outputs.map(address), batch()], binaryen.none),
  };
}
