/**
 * The static memory plan: one arena per prediction holding every tensor of
 * the top-level graph (graph inputs, node results, graph outputs), with
 * offsets fixed at build time and valid for every batch size N >= 1.
 *
 * - Sizes and offsets are affine in N (`base + perBatch * N`). Buffers whose
 *   size does not depend on N sit in a static region at the bottom of the
 *   arena; batch-dependent buffers sit above it at `staticSize + p * N`, so
 *   comparing two offsets never depends on N.
 * - Both coefficients of every offset are multiples of ALIGNMENT (256 bytes),
 *   so each offset is aligned for every N (WebGPU storage bindings).
 * - A buffer is reused once the last node that reads it has run; graph inputs
 *   are live from the start (the runtime copies them in, so they may be
 *   overwritten after their last use) and graph outputs to the end.
 * - Views share their operand's bytes (`aliasOf`), and elementwise results
 *   may overwrite a dying operand (`inPlaceOf`): see storage.ts.
 * Not planned here: `const` results (weights live in their own buffer; a
 * graph output that is a weight is read from there), and values inside
 * bodies (scan, fused): a target handles a kernel's local scratch itself.
 */
import type { Graph } from '../ir/graph.js';
import { ALIGNMENT, affineBytes, alignUp, type Affine } from './affine.js';
import { liveRanges, plannedValues } from './liveness.js';
import { placeBuffers, type Lifetime } from './placement.js';
import { buildStorage, describeValue } from './storage.js';

export interface PlannedValue {
  /** Where the value's bytes start in the arena. */
  offset: Affine;
  /** The value's own byte size (not rounded up). */
  size: Affine;
  /** Live range in node indices (see liveness.ts). */
  start: number;
  end: number;
  /** Set on a view's result: it is this value's bytes, no copy happens. */
  aliasOf?: number;
  /** Set on a result written in place over this operand's buffer. */
  inPlaceOf?: number;
}

export interface MemoryPlan {
  /** Keyed by value id. */
  values: Map<number, PlannedValue>;
  /** The arena's byte size. */
  arena: Affine;
  alignment: number;
}

export function planMemory(g: Graph): MemoryPlan {
  const ranges = liveRanges(g);
  const storage = buildStorage(g, ranges);
  const isStaticGroup = storage.groups.map((gr) => gr.size.perBatch === 0);
  const regionOf = (wantStatic: boolean): { groups: number[]; placement: ReturnType<typeof placeBuffers> } => {
    const groups = storage.groups.map((_, k) => k).filter((k) => isStaticGroup[k] === wantStatic);
    const lifetimes: Lifetime[] = groups.map((k) => {
      const gr = storage.groups[k];
      return { start: gr.start, end: gr.end, size: alignUp(wantStatic ? gr.size.base : gr.size.perBatch) };
    });
    return { groups, placement: placeBuffers(lifetimes) };
  };
  const fixed = regionOf(true);
  const batched = regionOf(false);
  const staticSize = fixed.placement.total;
  const groupOffset = new Map<number, Affine>();
  fixed.groups.forEach((k, i) => groupOffset.set(k, { base: fixed.placement.offsets[i], perBatch: 0 }));
  batched.groups.forEach((k, i) => groupOffset.set(k, { base: staticSize, perBatch: batched.placement.offsets[i] }));

  const values = new Map<number, PlannedValue>();
  for (const v of plannedValues(g)) {
    const group = storage.groupOf.get(v.id) as number;
    const range = ranges.get(v.id) as { start: number; end: number };
    const entry: PlannedValue = {
      offset: groupOffset.get(group) as Affine,
      size: affineBytes(v.type, describeValue(v)),
      start: range.start,
      end: range.end,
    };
    const sharing = storage.sharing.get(v.id);
    if (sharing?.aliasOf !== undefined) entry.aliasOf = sharing.aliasOf;
    if (sharing?.inPlaceOf !== undefined) entry.inPlaceOf = sharing.inPlaceOf;
    values.set(v.id, entry);
  }
  return { values, arena: { base: staticSize, perBatch: batched.placement.total }, alignment: ALIGNMENT };
}
