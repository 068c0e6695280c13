/**
 * The anchor of a GEMM kernel: a plain matmul / conv node, or the first body
 * node of a `fused` epilogue kernel, with the node operand each of its
 * inputs is bound from (a fused body's inputs are the node's operands, in order).
 */
import type { Node } from '../../../compiler/ir/graph.js';

export interface GemmAnchor {
  anchor: Node;
  /** Node operand index of each anchor input. */
  operands: number[];
}

export function gemmAnchor(node: Node): GemmAnchor {
  if (!node.body) return { anchor: node, operands: node.inputs.map((_, i) => i) };
  const anchor = node.body.nodes[0];
  const positions = new Map(node.body.inputs.map((v, i) => [v.id, i]));
  const operands = anchor.inputs.map((v) => {
    const i = positions.get(v.id);
    if (i === undefined) throw new Error(`${anchor.op}: the fused anchor reads a value that is not a body input`);
    return i;
  });
  return { anchor, operands };
}
