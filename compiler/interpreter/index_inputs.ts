/**
 * The user-facing check behind gather's "out of range gives zeros" rule
 * (docs/OPS.md, "Special values"): an index that comes straight from a model
 * input (an Embedding fed token ids) and falls outside its table is a
 * mistake in the input, so the interpreter and the runtime name the input
 * rather than quietly returning zeros. Indices computed inside the model are
 * not checked. `indexInputRows` is the static half, recorded in a bundle's
 * manifest (`TensorSpec.indexRows`) so the runtime makes the same check.
 */
import type { Graph, Node, Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { toInt32Saturating } from '../ops/elementwise/convert.js';
import { normalizeAxis } from '../ir/types.js';
import { attrsOf } from '../ir/node_attrs.js';
import { OP } from '../ir/op_types.js';

/** Ops an input's values pass through unchanged in order (cast: converted as gather will see them). */
const PASS_THROUGH = new Set(['cast', 'reshape', 'identity', 'expand_dims', 'squeeze']);

/** The graph input whose values `v` carries, element for element, or undefined. */
function sourceInput(g: Graph, producers: Map<number, Node>, v: Value): number | undefined {
  for (let cur: Value | undefined = v; cur; ) {
    const index = g.inputs.indexOf(cur);
    if (index >= 0) return index;
    const p = producers.get(cur.id);
    const bodyIsOneCast = p?.op === OP.fused && p.body?.nodes.length === 1 && p.body.nodes[0].op === OP.cast && p.inputs.length === 1;
    cur = p && (PASS_THROUGH.has(p.op) || bodyIsOneCast) ? p.inputs[0] : undefined;
  }
  return undefined;
}

/** Model inputs that index gather tables directly: input index → the rows of the smallest table it indexes. */
export function indexInputRows(g: Graph): Map<number, number> {
  const producers = g.producers();
  const rows = new Map<number, number>();
  for (const node of g.nodes) {
    if (node.op !== OP.gather) continue;
    const i = sourceInput(g, producers, node.inputs[1]);
    if (i === undefined) continue;
    const params = node.inputs[0].type.shape;
    const size = params[normalizeAxis(attrsOf(node, OP.gather).axis, params.length)];
    if (size === 'N') continue;
    rows.set(i, Math.min(size, rows.get(i) ?? size));
  }
  return rows;
}

/** The message for a value outside [0, rows); the runtime words it the same way (runtime/inputs.ts). */
function outOfRangeIndexMessage(input: number, name: string, value: number, element: number, rows: number): string {
  return `input ${input} '${name}' holds ${value} at element ${element}, but it indexes a table of ${rows} rows (an Embedding's input_dim): every value must be in [0, ${rows})`;
}

/** A message naming the first model input that indexes a gather table out of range, or null. */
export function outOfRangeIndexInput(g: Graph, inputs: readonly Tensor[]): string | null {
  for (const [i, rows] of indexInputRows(g)) {
    const data = inputs[i].data;
    const toIndex = inputs[i].dtype === 'f32' ? toInt32Saturating : (x: number) => x;
    for (let k = 0; k < data.length; k++) {
      const index = toIndex(data[k]);
      if (index < 0 || index >= rows) return outOfRangeIndexMessage(i, g.inputs[i].name ?? String(i), data[k], k, rows);
    }
  }
  return null;
}
