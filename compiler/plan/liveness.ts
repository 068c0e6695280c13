/**
 * Live ranges of the values a memory plan covers: graph inputs and the
 * results of every node that is not a weight read (`const` results live in
 * the weights, not the arena). Positions are node indices of the top-level
 * graph: a graph input starts at -1, a result at its node; a value ends at
 * the last node that reads it, and a graph output ends at `nodes.length`.
 * Values inside body graphs are not covered.
 */
import type { Graph, Value } from '../ir/graph.js';
import { getOp } from '../ir/op.js';

export interface LiveRange {
  start: number;
  end: number;
}

/** The planned values of `g`, in definition order. */
export function plannedValues(g: Graph): Value[] {
  const values = [...g.inputs];
  for (const node of g.nodes) if (!getOp(node.op).readsWeight) values.push(...node.outputs);
  return values;
}

export function liveRanges(g: Graph): Map<number, LiveRange> {
  const ranges = new Map<number, LiveRange>();
  for (const v of g.inputs) ranges.set(v.id, { start: -1, end: -1 });
  g.nodes.forEach((node, i) => {
    for (const v of node.inputs) {
      const r = ranges.get(v.id);
      if (r) r.end = Math.max(r.end, i);
    }
    if (!getOp(node.op).readsWeight) for (const v of node.outputs) ranges.set(v.id, { start: i, end: i });
  });
  for (const o of g.outputs) {
    const r = ranges.get(o.value.id);
    if (r) r.end = g.nodes.length;
  }
  return ranges;
}
