/**
 * Conv canonicalization: every dense convolution becomes one `conv2d`, so the
 * targets implement one op form (compiler/ops/conv/geometry.ts):
 * - conv1d(x[N,W,C], w[k,C,F]) -> squeeze(conv2d(expand_dims(x), expand_dims(w)))
 *   over a height of 1 (causal padding becomes explicit left padding);
 * - conv2d_transpose(x, w[kh,kw,F,C]) -> conv2d{input_dilations=strides} over
 *   the input dilated by the strides, with the filter flipped in space and its
 *   channel axes swapped (a new weight when the filter is one, else
 *   transpose + reverse ops).
 * A `fused` epilogue kernel anchored on either op is rebuilt around the conv2d:
 * for conv1d the whole chain runs over [N,1,W,F] (each operand of the result's
 * shape gets the unit axis too; a bias [F] broadcasts as before) and one
 * squeeze follows the kernel, so fusion is kept and the views cost nothing.
 *
 * It runs after fusion (fusion would stop at the squeeze otherwise) and is a
 * required lowering as well (./lowering.ts): a build runs it even with the
 * optimization pipeline off. Works on the top-level graph; a convolution
 * inside a scan body stays as it is and a target refuses it by name.
 */
import type { Attrs } from '../ir/attrs.js';
import { GraphBuilder } from '../ir/builder.js';
import { graphFacts, type GraphFacts } from '../ir/constants.js';
import type { Graph, Node, Value } from '../ir/graph.js';
import { attrsOf } from '../ir/node_attrs.js';
import { getOp, type RefContext } from '../ir/op.js';
import { OP } from '../ir/op_types.js';
import { sameShape, type TensorType } from '../ir/types.js';
import { asConv2d } from '../ops/conv/conv1d.js';
import { asDilatedConv2d } from '../ops/conv/transpose.js';
import { kernelForm } from '../ops/fused.js';
import { installKernels, type KernelGroup } from './kernel.js';
import type { Pass } from './pass.js';
import { replaceAllUses } from './pass.js';

const NON_CANONICAL: ReadonlySet<string> = new Set([OP.conv1d, OP.conv2d_transpose]);

/** Weight-only ops are evaluated here through their own reference semantics, which never need a context. */
const NO_CONTEXT: RefContext = {
  batch: 1,
  weight: () => {
    throw new Error('canonicalize-conv evaluates no const');
  },
  runBody: () => {
    throw new Error('canonicalize-conv evaluates no body');
  },
};

/** Emits the new nodes of one rewrite in order, at the place of the node they replace. */
class Emitter {
  readonly nodes: Node[] = [];
  private readonly builder: GraphBuilder;

  constructor(
    readonly graph: Graph,
    private readonly facts: GraphFacts,
  ) {
    this.builder = new GraphBuilder(graph);
  }

  node(op: string, inputs: Value[], attrs: Attrs = {}): Node {
    const node = this.builder.makeNode(op, inputs, attrs);
    this.nodes.push(node);
    return node;
  }

  op(op: string, inputs: Value[], attrs: Attrs = {}): Value {
    return this.node(op, inputs, attrs).outputs[0];
  }

  /** `steps` applied to `v`: computed now into a new weight when `v` is a weight, else as ops. */
  weightOps(v: Value, steps: readonly { op: string; attrs: Attrs }[], name: string): Value {
    const weight = this.facts.constant(v);
    if (!weight) return steps.reduce((acc, s) => this.op(s.op, [acc], s.attrs), v);
    const data = steps.reduce((t, s) => getOp(s.op).reference([t], s.attrs, NO_CONTEXT)[0], weight);
    let n = 0;
    while (this.graph.weights.has(`${name}.${n}`)) n++;
    this.graph.weights.set(`${name}.${n}`, data);
    return this.op('const', [], { ref: `${name}.${n}`, dtype: data.dtype, shape: data.shape });
  }
}

/** The canonical conv2d for a conv1d / conv2d_transpose node reading `x` and `w` (values of the top-level graph). */
function canonicalConv(anchor: Node, x: Value, w: Value, emit: Emitter): Node {
  const [xType, wType] = anchor.inputs.map((v) => v.type);
  if (anchor.op === OP.conv1d) {
    const attrs = asConv2d(attrsOf(anchor, OP.conv1d), wType.shape[0] as number);
    return emit.node('conv2d', [emit.op('expand_dims', [x], { axis: 1 }), emit.op('expand_dims', [w], { axis: 0 })], attrs);
  }
  const { conv2d, flip } = asDilatedConv2d(xType, wType, attrsOf(anchor, OP.conv2d_transpose));
  const steps: { op: string; attrs: Attrs }[] = [
    { op: 'transpose', attrs: { perm: flip.perm } },
    { op: 'reverse', attrs: { axes: flip.axes } },
  ];
  return emit.node('conv2d', [x, emit.weightOps(w, steps, 'canonical.conv2d_transpose.filter')], conv2d);
}

/** The nodes replacing a plain conv1d / conv2d_transpose; its result becomes `replacement`. */
function rewritePlain(node: Node, emit: Emitter): Value {
  const conv = canonicalConv(node, node.inputs[0], node.inputs[1], emit);
  return node.op === OP.conv1d ? emit.op('squeeze', [conv.outputs[0]], { axes: [1] }) : conv.outputs[0];
}

/**
 * A fused epilogue kernel with a non-canonical anchor: its body's nodes are
 * re-emitted at top level around the canonical conv2d (the group to fuse again
 * is returned); the kernel's result becomes `replacement`.
 */
function rewriteFused(node: Node, emit: Emitter): { group: KernelGroup; replacement: Value } | undefined {
  const body = node.body as Graph;
  const [anchor, ...chain] = body.nodes;
  const [bx, bw] = anchor.inputs;
  // The filter is read by the anchor only (rewriting it for one reader would change it for another).
  if (chain.some((n) => n.inputs.some((v) => v.id === bw.id))) return undefined;
  const outer = new Map(body.inputs.map((v, i) => [v.id, node.inputs[i]]));
  const operand = (v: Value): Value => outer.get(v.id) as Value;
  const conv = canonicalConv(anchor, operand(bx), operand(bw), emit);
  const inner = new Map<number, Value>([[anchor.outputs[0].id, conv.outputs[0]]]);
  const resultType: TensorType = anchor.outputs[0].type;
  const lifted = new Map<number, Value>();
  /** conv1d: an operand of the anchor's result shape gains the unit height axis, once. */
  const lift = (v: Value): Value => {
    const o = operand(v);
    if (anchor.op !== OP.conv1d || !sameShape(v.type.shape, resultType.shape)) return o;
    const done = lifted.get(o.id) ?? emit.op('expand_dims', [o], { axis: 1 });
    lifted.set(o.id, done);
    return done;
  };
  const members = [conv];
  for (const n of chain) {
    const copy = emit.node(n.op, n.inputs.map((v) => inner.get(v.id) ?? lift(v)), n.attrs);
    inner.set(n.outputs[0].id, copy.outputs[0]);
    members.push(copy);
  }
  const result = members[members.length - 1].outputs[0];
  const replacement = anchor.op === OP.conv1d ? emit.op('squeeze', [result], { axes: [1] }) : result;
  return { group: { members, results: [result] }, replacement };
}

function needsRewrite(node: Node): boolean {
  if (NON_CANONICAL.has(node.op)) return true;
  return node.op === OP.fused && node.body !== undefined && kernelForm(node.body) === 'epilogue' && NON_CANONICAL.has(node.body.nodes[0].op);
}

function canonicalize(g: Graph): boolean {
  if (!g.nodes.some(needsRewrite)) return false;
  const facts = graphFacts(g);
  const groups: KernelGroup[] = [];
  const nodes: Node[] = [];
  let changed = false;
  for (const node of g.nodes) {
    if (!needsRewrite(node)) {
      nodes.push(node);
      continue;
    }
    const emit = new Emitter(g, facts);
    let replacement: Value | undefined;
    if (node.op === OP.fused) {
      const fused = rewriteFused(node, emit);
      if (fused) groups.push(fused.group);
      replacement = fused?.replacement;
    } else {
      replacement = rewritePlain(node, emit);
    }
    if (!replacement) {
      nodes.push(node);
      continue;
    }
    nodes.push(...emit.nodes);
    replaceAllUses(g, node.outputs[0], replacement);
    changed = true;
  }
  g.nodes = nodes;
  installKernels(g, groups);
  return changed;
}

export const canonicalizeConv: Pass = {
  name: 'canonicalize-conv',
  description: 'conv1d and conv2d_transpose (plain or anchoring a fused kernel) become conv2d, the one convolution form targets implement',
  run: canonicalize,
};
