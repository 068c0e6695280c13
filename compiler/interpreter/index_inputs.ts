/**
 * The user-facing check behind gather's "out of range gives zeros" rule
 * (docs/OPS.md, "Special values"): an index that comes straight from a model
 * input (an Embedding fed token ids) and falls outside its table is a
 * mistake in the input, so the interpreter names the input rather than
 * quietly returning zeros. Indices computed inside the model are not checked.
 */
import type { Graph, Node, Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { toInt32Saturating } from '../ops/elementwise/convert.js';
import { normalizeAxis } from '../ir/types.js';
import { attr } from '../ir/attrs.js';

/** Ops an input's values pass through unchanged in order (cast: converted as gather will see them). */
const PASS_THROUGH = new Set(['cast', 'reshape', 'identity', 'expand_dims', 'squeeze']);

/** The graph input whose values `v` carries, element for element, or undefined. */
function sourceInput(g: Graph, producers: Map<number, Node>, v: Value): number | undefined {
  for (let cur: Value | undefined = v; cur; ) {
    const index = g.inputs.indexOf(cur);
    if (index >= 0) return index;
    const p = producers.get(cur.id);
    const bodyIsOneCast = p?.op === 'fused' && p.body?.nodes.length === 1 && p.body.nodes[0].op === 'cast' && p.inputs.length === 1;
    cur = p && (PASS_THROUGH.has(p.op) || bodyIsOneCast) ? p.inputs[0] : undefined;
  }
  return undefined;
}

/** A message naming the first model input that indexes a gather table out of range, or null. */
export function outOfRangeIndexInput(g: Graph, inputs: readonly Tensor[]): string | null {
  const producers = g.producers();
  for (const node of g.nodes) {
    if (node.op !== 'gather') continue;
    const i = sourceInput(g, producers, node.inputs[1]);
    if (i === undefined) continue;
    const params = node.inputs[0].type.shape;
    const size = params[normalizeAxis(attr.int(node.attrs, 'axis'), params.length)];
    if (size === 'N') continue;
    const data = inputs[i].data;
    const toIndex = inputs[i].dtype === 'f32' ? toInt32Saturating : (x: number) => x;
    for (let k = 0; k < data.length; k++) {
      const index = toIndex(data[k]);
      if (index < 0 || index >= size) {
        const name = g.inputs[i].name ?? String(i);
        return `input ${i} '${name}' holds ${data[k]} at element ${k}, but it indexes a table of ${size} rows (an Embedding's input_dim): every value must be in [0, ${size})`;
      }
    }
  }
  return null;
}
