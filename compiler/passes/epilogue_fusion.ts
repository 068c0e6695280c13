/**
 * Epilogue fusion: a fusion anchor (an op with the `fusionAnchor` trait:
 * matmul and the convolutions) followed by a chain of elementwise ops becomes
 * one `fused` epilogue kernel, so the bias, activation and residual add are
 * applied while the anchor's result is still in registers.
 *
 * A chain grows from the anchor's result one user at a time, while
 * - the current value has exactly one user node and is not a graph output
 *   (so no intermediate is needed outside the kernel), and
 * - that user is elementwise, has one result of the anchor's result shape S,
 *   and each of its other operands is either a constant broadcast along the
 *   output channel (a bias [F], a scalar, [1,1,1,F]) or a tensor of shape S
 *   exactly (a residual).
 * The kernel takes the place of the chain's last node, where every operand is
 * already defined. Assumes a verified graph; works on the top-level graph only
 * (scan bodies are left as they are). Kernels hold no anchor at top level, so
 * the pass never refires on its own output.
 */
import type { Graph, Node, Value } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import { sameShape, type Shape } from '../ir/types.js';
import { installKernels, type KernelGroup } from './kernel.js';
import type { Pass } from './pass.js';

/** A weight whose shape, right-aligned against `shape`, is 1 on every axis but the last (the channel). */
function isChannelConstant(v: Value, shape: Shape, producers: Map<number, Node>): boolean {
  const p = producers.get(v.id);
  if (!p || !getOp(p.op).readsWeight) return false;
  const s = v.type.shape;
  const offset = shape.length - s.length;
  if (offset < 0) return false;
  return s.every((d, i) => d === 1 || (i + offset === shape.length - 1 && d === shape[shape.length - 1]));
}

/** True when `next`, a user of the chain value `current`, may join an epilogue over shape `shape`. */
function joinsEpilogue(next: Node, current: Value, shape: Shape, producers: Map<number, Node>): boolean {
  if (!getOp(next.op).elementwise || next.body || next.outputs.length !== 1) return false;
  if (!sameShape(next.outputs[0].type.shape, shape)) return false;
  return next.inputs.every(
    (v) => v.id === current.id || sameShape(v.type.shape, shape) || isChannelConstant(v, shape, producers),
  );
}

function fuseEpilogues(g: Graph): boolean {
  const producers = g.producers();
  const users = g.users();
  const graphOutputs = new Set(g.outputs.map((o) => o.value.id));
  const absorbed = new Set<Node>();
  const kernels: KernelGroup[] = [];
  for (const anchor of [...g.nodes]) {
    if (!getOp(anchor.op).fusionAnchor || anchor.outputs.length !== 1) continue;
    const chain = [anchor];
    let current = anchor.outputs[0];
    const shape = current.type.shape;
    for (;;) {
      const next = users.get(current.id);
      if (graphOutputs.has(current.id) || next?.length !== 1) break;
      if (absorbed.has(next[0]) || !joinsEpilogue(next[0], current, shape, producers)) break;
      chain.push(next[0]);
      current = next[0].outputs[0];
    }
    if (chain.length < 2) continue;
    kernels.push({ members: chain, results: [current] });
    for (const n of chain) absorbed.add(n);
  }
  installKernels(g, kernels);
  return kernels.length > 0;
}

export const epilogueFusion: Pass = {
  name: 'epilogue-fusion',
  description: 'fuse matmul/convolution with the bias, activation and residual add that follow it',
  run: fuseEpilogues,
};
