/**
 * Algebraic simplification: removes ops that do not change their operand and
 * collapses chains that compose into one op.
 *
 * - `identity(x)`, `dropout(x)` (inference) -> x
 * - `add(x, 0)`, `add(0, x)`, `sub(x, 0)`, `mul(x, 1)`, `mul(1, x)`, `div(x, 1)` -> x, where the
 *   constant is a weight holding only that value and broadcasting leaves x's type unchanged
 *   (`x + 0` turns -0 into +0, which no tolerance rule can see)
 * - `transpose(transpose(x))` -> one transpose, or x when the permutations cancel;
 *   `transpose(x)` with the identity permutation -> x
 * - `reshape(reshape(x))` -> one reshape; a reshape to the operand's own shape -> x
 * - `cast(x)` to x's own dtype -> x; `cast(cast(x))` -> one cast where the inner cast loses nothing
 *   that the outer one keeps
 *
 * Assumes a verified graph. Why the rules are a table here, matched by op name, rather than hooks
 * on each OpDef: most rules look across two nodes (a chain, or an operand's weight data), so they
 * are rewrites of the graph rather than properties of one op, and keeping them side by side makes
 * the whole rule set reviewable in one place. This is a specific rewrite pass, not a generic one.
 */
import type { Node, Value } from '../ir/graph.js';
import type { DType } from '../ir/types.js';
import { sameShape, sameType } from '../ir/types.js';
import type { GraphQueries } from './graph_queries.js';
import { applyLocalRewrites, type LocalRewrite, type NodeEmitter } from './local_rewrite.js';
import type { Pass } from './pass.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

/** True when `v` is a weight holding only `value`. */
function isFilledWith(q: GraphQueries, v: Value, value: number): boolean {
  const t = q.weightData(v);
  return t !== undefined && t.data.every((d) => d === value);
}

/** `x op c` (or `c op x` when the op commutes) is x when c is all `neutral` and x's type survives. */
function neutralOperand(neutral: number, commutes: boolean): LocalRewrite {
  return (node, q) => {
    const [a, b] = node.inputs;
    const out = node.outputs[0];
    if (isFilledWith(q, b, neutral) && sameType(a.type, out.type)) return a;
    if (commutes && isFilledWith(q, a, neutral) && sameType(b.type, out.type)) return b;
    return undefined;
  };
}

const passThrough: LocalRewrite = (node) => node.inputs[0];

function isIdentityPerm(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

const transposeRule: LocalRewrite = (node, q, emit) => {
  const perm = attrsOf(node, OP.transpose).perm;
  if (isIdentityPerm(perm)) return node.inputs[0];
  const inner = q.producer(node.inputs[0]);
  if (!inner || inner.op !== OP.transpose) return undefined;
  // Result axis i is inner-result axis perm[i], which is input axis innerPerm[perm[i]].
  const innerPerm = attrsOf(inner, OP.transpose).perm;
  const composed = perm.map((p) => innerPerm[p]);
  if (isIdentityPerm(composed)) return inner.inputs[0];
  return emit.op('transpose', [inner.inputs[0]], { perm: composed });
};

const reshapeRule: LocalRewrite = (node, q, emit) => {
  const x = node.inputs[0];
  const out = node.outputs[0];
  if (sameShape(x.type.shape, out.type.shape)) return x;
  const inner = q.producer(x);
  if (!inner || inner.op !== OP.reshape) return undefined;
  const source = inner.inputs[0];
  if (sameShape(source.type.shape, out.type.shape)) return source;
  // The resolved result shape (sizes and N, no -1) is valid from any operand with the same elements.
  return emit.op('reshape', [source], { shape: out.type.shape });
};

/**
 * Whether `cast(cast(x: from, via), to)` equals `cast(x, to)` for every x:
 * bool values (0/1) survive any cast; i32 -> f32 may round but keeps zero-ness, which is all a
 * cast to bool looks at.
 */
function castChainIsExact(from: DType, via: DType, to: DType): boolean {
  return from === 'bool' || (from === 'i32' && via === 'f32' && to === 'bool');
}

const castRule: LocalRewrite = (node, q, emit) => {
  const x = node.inputs[0];
  const to = attrsOf(node, OP.cast).to;
  if (x.type.dtype === to) return x;
  const inner = q.producer(x);
  if (!inner || inner.op !== OP.cast) return undefined;
  const source = inner.inputs[0];
  if (!castChainIsExact(source.type.dtype, x.type.dtype, to)) return undefined;
  return source.type.dtype === to ? source : emit.op('cast', [source], { to });
};

const RULES: ReadonlyMap<string, LocalRewrite> = new Map([
  ['identity', passThrough],
  ['dropout', passThrough],
  ['add', neutralOperand(0, true)],
  ['sub', neutralOperand(0, false)],
  ['mul', neutralOperand(1, true)],
  ['div', neutralOperand(1, false)],
  ['transpose', transposeRule],
  ['reshape', reshapeRule],
  ['cast', castRule],
]);

function simplifyNode(node: Node, q: GraphQueries, emit: NodeEmitter): Value | undefined {
  return RULES.get(node.op)?.(node, q, emit);
}

export const simplify: Pass = {
  name: 'simplify',
  description: 'remove no-op ops (identity, dropout, x*1, x+0, same-type casts) and collapse transpose, reshape and cast chains',
  run: (g) => applyLocalRewrites(g, simplifyNode),
};
