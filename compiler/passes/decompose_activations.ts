/**
 * Decompose activations: a composite elementwise op (an OpDef with
 * `decompose`; today selu, hard_sigmoid, softsign, swish, mish, gelu) becomes the
 * primitive ops it is defined by, so every later stage and both targets see
 * one numerics policy: that of the primitives (docs/OPS.md, "Special
 * values"), each implemented once per target. Numbers travel as attributes
 * of `scale_shift`, never as constants, so a decomposition adds no operand,
 * no weight and no WebGPU binding to a kernel.
 *
 * What stays primitive, and why (each is one rule per target):
 * - relu, relu6, leaky_relu, clip: one or two instructions each, and the
 *   sign of a zero (relu6(-0) = +0, leaky_relu(-0) = -0) would need more
 *   ops than the fast path has instructions;
 * - sigmoid, tanh, softplus, elu, exp, log, erf: numerics kernels (a stable
 *   form, a polynomial, expm1 near 0) that no composition of other
 *   primitives computes as accurately; sigmoid and tanh are also the LSTM /
 *   GRU gates, whose scan bodies are never fused (below).
 * The composites cost nothing in speed: each becomes the same instructions
 * its old rule emitted, in the same loop.
 *
 * Where it rewrites: the top-level graph and the bodies of `fused` kernels,
 * never scan bodies. It runs after the fusion passes because swish, mish,
 * softsign and gelu read their operand twice, which would end epilogue
 * fusion's single-user chains (a conv + bias + swish would lose its fused
 * epilogue); inside a kernel the pieces stay in the kernel's one loop, and
 * the pipeline's next round fuses the lone top-level ones. A scan body runs
 * each node as a kernel of its own per time step, so there a composite stays
 * one node, which the targets expand when they generate its code (they
 * expand any composite they are given, so skipping this pass changes no
 * result).
 */
import type { Graph, Node } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import { OP } from '../ir/op_types.js';
import { applyLocalRewrites, type LocalRewrite } from './local_rewrite.js';
import type { Pass } from './pass.js';

const decomposeNode: LocalRewrite = (node, _q, emit) => getOp(node.op).decompose?.(node.inputs, node.attrs, emit);

/** Rewrites a fused kernel's body; its name (the body's op names) follows. */
function decomposeKernel(kernel: Node): boolean {
  const body = kernel.body;
  if (!body || !applyLocalRewrites(body, decomposeNode)) return false;
  kernel.attrs = { ...kernel.attrs, name: body.nodes.map((n) => n.op).join('+') };
  return true;
}

function decomposeGraph(g: Graph): boolean {
  let changed = applyLocalRewrites(g, decomposeNode);
  // A specific rewrite: only `fused` bodies are loops that keep the pieces together.
  for (const node of g.nodes) if (node.op === OP.fused && decomposeKernel(node)) changed = true;
  return changed;
}

export const decomposeActivations: Pass = {
  name: 'decompose-activations',
  description: 'write composite activations (ops that define a decomposition: swish, gelu, selu, ...) as the primitive ops they are made of',
  run: decomposeGraph,
};
