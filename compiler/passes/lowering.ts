/**
 * The lowering every build runs before handing a graph to a target, whatever
 * the optimization flags say (`--no-opt`, `--disable-pass`): the targets
 * implement only the canonical op forms these passes produce. The reference
 * interpreter needs none of it, so `tfc run --no-opt` still runs the graph as
 * imported.
 */
import type { Graph } from '../ir/graph.js';
import { canonicalizeConv } from './canonicalize_conv.js';
import { deadCodeElimination } from './dce.js';

/** Rewrites `g` in place into the forms every target implements (a no-op on an optimized graph). */
export function lowerForTargets(g: Graph): void {
  // dce drops a conv2d_transpose filter the rewrite replaced by its flipped copy.
  if (canonicalizeConv.run(g)) deadCodeElimination.run(g);
}
