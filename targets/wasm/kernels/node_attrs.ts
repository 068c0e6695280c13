/**
 * A node's attributes with the schema defaults filled in: graphs made by the
 * builder carry them all, but parsed text may leave defaults out.
 */
import { normalizeAttrs, type Attrs } from '../../../compiler/ir/attrs.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { getOp } from '../../../compiler/ir/op.js';

export function attrsOf(node: Node): Attrs {
  return normalizeAttrs(node.op, getOp(node.op).attrs, node.attrs);
}
