/**
 * A pass rewrites a graph in place and says whether it changed anything.
 * Each pass lives in a file of its own and is listed once in `pipeline.ts`.
 */
import type { Graph, Value } from '../ir/graph.js';

export interface Pass {
  /** Short kebab-case name used on the command line (`--disable-pass=NAME`). */
  name: string;
  /** One line saying what the pass does. */
  description: string;
  /** Rewrites `g` in place; returns true when the graph changed. */
  run(g: Graph): boolean;
}

/** Replaces every use of `from` (node operands, graph outputs) by `to`, in this graph only. */
export function replaceAllUses(g: Graph, from: { id: number }, to: Value): void {
  for (const node of g.nodes) {
    node.inputs = node.inputs.map((v) => (v.id === from.id ? to : v));
  }
  for (const o of g.outputs) if (o.value.id === from.id) o.value = to;
}
