/**
 * Typed reads of a node's attributes. The parser and the builder normalize
 * attributes against the op's schema (complete, checked, in schema order) and
 * the verifier keeps them so, so a node of op K carries exactly `OpAttrs[K]`,
 * whose types op_types.ts spells from the same schema.
 */
import type { Attrs } from './attrs.js';
import { IRError } from './errors.js';
import type { Node } from './graph.js';
import type { OpAttrs, OpName } from './op_types.js';

/**
 * The attributes of `node`, typed for the op (or any of the ops) it must be:
 * `attrsOf(node, OP.transpose).perm`. Throws when the node is another op.
 */
export function attrsOf<K extends OpName>(node: Node, ...ops: [K, ...K[]]): OpAttrs[K] {
  if (!(ops as readonly string[]).includes(node.op)) {
    throw new IRError(`expected a ${ops.join(' or ')} node, got ${node.op}`);
  }
  return typedAttrs(ops[0], node.attrs);
}

/**
 * Complete attributes of op `op` as its type: for op definitions, whose
 * callbacks receive the attributes without the node.
 */
export function typedAttrs<K extends OpName>(op: K, attrs: Attrs): OpAttrs[K] {
  // Attrs is the untyped record every node holds; the schema it was normalized
  // against is the one OpAttrs[K] is generated from (test/ir/op_types.test.ts).
  return attrs as unknown as OpAttrs[K];
}
