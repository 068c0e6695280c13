/**
 * Checks that a graph is well formed: every operand is defined before use
 * (SSA, topological order), each value is defined once, each node names a
 * known op with the right operand count and valid attributes, and every
 * declared result type equals what the op's shape inference computes.
 * Bodies are checked the same way and must be closed.
 */
import { normalizeAttrs } from './attrs.js';
import { IRError } from './errors.js';
import type { Graph } from './graph.js';
import { arityAccepts, describeArity, getOp } from './op.js';
import { formatType, sameType } from './types.js';

export class VerifyError extends IRError {
  constructor(
    message: string,
    readonly graphName: string,
    readonly nodeIndex: number,
  ) {
    super(`graph @${graphName}${nodeIndex >= 0 ? `, node ${nodeIndex}` : ''}: ${message}`);
    this.name = 'VerifyError';
  }
}

export function verifyGraph(g: Graph): void {
  const defined = new Set<number>();
  const fail = (msg: string, index = -1): never => {
    throw new VerifyError(msg, g.name, index);
  };
  for (const v of g.inputs) {
    if (defined.has(v.id)) fail(`input %${v.name ?? v.id} is listed twice`);
    defined.add(v.id);
  }
  g.nodes.forEach((node, index) => {
    let def;
    try {
      def = getOp(node.op);
    } catch (e) {
      return fail((e as Error).message, index);
    }
    if (!arityAccepts(def.arity, node.inputs.length)) {
      fail(`${node.op} expects ${describeArity(def.arity)} operand(s), has ${node.inputs.length}`, index);
    }
    for (const v of node.inputs) {
      if (!defined.has(v.id)) fail(`${node.op} uses a value that is not defined before it`, index);
    }
    if (Boolean(def.hasBody) !== (node.body !== undefined)) {
      fail(def.hasBody ? `${node.op} needs a body graph` : `${node.op} takes no body graph`, index);
    }
    let inferred;
    try {
      const full = normalizeAttrs(node.op, def.attrs, node.attrs);
      if (JSON.stringify(full) !== JSON.stringify(node.attrs)) {
        fail(`${node.op} attributes are not complete or not in schema order`, index);
      }
      if (node.body) verifyGraph(node.body);
      const types = node.inputs.map((v) => v.type);
      def.verify?.(types, node.attrs, node.body);
      inferred = def.infer(types, node.attrs, node.body);
    } catch (e) {
      if (e instanceof VerifyError) throw e;
      return fail((e as Error).message, index);
    }
    if (inferred.length !== node.outputs.length) {
      fail(`${node.op} has ${node.outputs.length} results, inference gives ${inferred.length}`, index);
    }
    node.outputs.forEach((v, k) => {
      if (!sameType(v.type, inferred[k])) {
        fail(`${node.op} result ${k} is declared ${formatType(v.type)} but inference gives ${formatType(inferred[k])}`, index);
      }
      if (defined.has(v.id)) fail(`${node.op} redefines a value`, index);
      defined.add(v.id);
    });
  });
  const names = new Set<string>();
  for (const o of g.outputs) {
    if (!defined.has(o.value.id)) fail(`output '${o.name}' is not defined in the graph`);
    if (names.has(o.name)) fail(`output name '${o.name}' is used twice`);
    names.add(o.name);
  }
}
