import { normalizeAttrs, type Attrs } from '../../../compiler/ir/attrs.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { getOp } from '../../../compiler/ir/op.js';

/** A node's attributes with schema defaults filled in (parsed text may leave them out). */
export function attrsOf(node: Node): Attrs {
  return normalizeAttrs(node.op, getOp(node.op).attrs, node.attrs);
}
