/**
 * The walk both targets' elementwise code generators make over a list of
 * elementwise nodes (a plain node, a fused loop body, an epilogue): each
 * node's rule is looked up in the target's rule table, its operands in `env`
 * (value id -> the target's value: a wasm local, a WGSL name), and its
 * result, made by `evaluate`, is added to `env`. `read` may replace an
 * operand's value in `env` as it is read (WebGPU names an expression once).
 */
import type { Node } from '../../compiler/ir/graph.js';

export function evaluateNodes<R, V>(
  target: string,
  rules: Readonly<Record<string, R>>,
  nodes: readonly Node[],
  env: Map<number, V>,
  evaluate: (rule: R, node: Node, operands: V[]) => V,
  read: (id: number, value: V) => V = (_id, value) => value,
): void {
  for (const node of nodes) {
    const rule = rules[node.op];
    if (!rule) throw new Error(`the ${target} target does not support op '${node.op}' yet`);
    const operands = node.inputs.map((v) => {
      const value = env.get(v.id);
      if (value === undefined) throw new Error(`${target} elementwise: value %${v.id} read by ${node.op} is not available`);
      return read(v.id, value);
    });
    env.set(node.outputs[0].id, evaluate(rule, node, operands));
  }
}
