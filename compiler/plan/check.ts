/**
 * Checks a memory plan against its graph, for tests and debug builds: every
 * planned value has an entry of its exact size; at each given batch size
 * every offset is aligned and every buffer lies inside the arena; views and
 * in-place results really are legal; and no two values whose bytes overlap
 * are live at the same time, except a view and what it views (same storage)
 * and an in-place result and the operand it overwrote (which dies at the
 * node that writes the result). Live ranges are recomputed from the graph.
 * Returns the problems found, empty when the plan is valid.
 */
import type { Graph, Node, Value } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import { evalAffine, formatAffine, sameAffine, affineBytes } from './affine.js';
import { liveRanges, plannedValues, type LiveRange } from './liveness.js';
import type { MemoryPlan, PlannedValue } from './plan.js';
import { describeValue, inPlacePositions } from './storage.js';

/** Values connected by view aliases form one storage class. */
function storageClasses(values: readonly Value[], plan: MemoryPlan): Map<number, number> {
  const parent = new Map<number, number>(values.map((v) => [v.id, v.id]));
  const find = (id: number): number => {
    let r = id;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    // Path compression: a chain of 20,000 views stays linear.
    for (let x = id; x !== r; ) {
      const next = parent.get(x) as number;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  for (const v of values) {
    const alias = plan.values.get(v.id)?.aliasOf;
    if (alias !== undefined && parent.has(alias)) parent.set(find(v.id), find(alias));
  }
  return new Map(values.map((v) => [v.id, find(v.id)]));
}

function checkSharing(v: Value, entry: PlannedValue, producer: Node | undefined, plan: MemoryPlan, problems: string[]): void {
  const what = describeValue(v);
  if (entry.aliasOf !== undefined) {
    const target = plan.values.get(entry.aliasOf);
    if (!producer || !getOp(producer.op).view || producer.inputs[0].id !== entry.aliasOf) {
      problems.push(`${what} aliases %${entry.aliasOf} but is not a view of it`);
    } else if (!target || !sameAffine(target.offset, entry.offset)) {
      problems.push(`${what} aliases %${entry.aliasOf} at a different offset`);
    }
  }
  if (entry.inPlaceOf !== undefined) {
    const target = plan.values.get(entry.inPlaceOf);
    const allowed = producer ? inPlacePositions(producer) : [];
    const positions = producer ? producer.inputs.flatMap((o, k) => (o.id === entry.inPlaceOf ? [k] : [])) : [];
    if (positions.length === 0 || !positions.every((k) => allowed.includes(k))) {
      problems.push(`${what} overwrites %${entry.inPlaceOf}, which its node may not overwrite`);
    } else if (!target || !sameAffine(target.offset, entry.offset) || !sameAffine(target.size, entry.size)) {
      problems.push(`${what} overwrites %${entry.inPlaceOf} but does not occupy exactly its bytes`);
    }
  }
}

export function checkPlan(g: Graph, plan: MemoryPlan, batches: readonly number[] = [1, 2, 3, 8]): string[] {
  const problems: string[] = [];
  const values = plannedValues(g);
  const ranges = liveRanges(g);
  const producers = g.producers();
  for (const v of values) {
    const entry = plan.values.get(v.id);
    if (!entry) {
      problems.push(`${describeValue(v)} has no place in the plan`);
      continue;
    }
    if (!sameAffine(entry.size, affineBytes(v.type, describeValue(v)))) {
      problems.push(`${describeValue(v)} is planned with size ${formatAffine(entry.size)}, not its type's size`);
    }
    checkSharing(v, entry, producers.get(v.id), plan, problems);
  }
  if (problems.length > 0) return problems;

  const classOf = storageClasses(values, plan);
  for (const v of values) {
    const over = plan.values.get(v.id)?.inPlaceOf;
    const producer = producers.get(v.id);
    if (over === undefined || !producer) continue;
    const allowed = inPlacePositions(producer);
    const clobbered = producer.inputs.some((o, k) => classOf.get(o.id) === classOf.get(over) && !allowed.includes(k));
    if (clobbered) problems.push(`${describeValue(v)} overwrites %${over}, which its node also reads where it may not be overwritten`);
  }
  const classRange = new Map<number, LiveRange>();
  for (const v of values) {
    const r = ranges.get(v.id) as LiveRange;
    const c = classOf.get(v.id) as number;
    const cr = classRange.get(c);
    classRange.set(c, cr ? { start: Math.min(cr.start, r.start), end: Math.max(cr.end, r.end) } : { ...r });
  }
  // Value u's storage may be reused by v at v's first node only when v overwrites u's class in place there.
  const handsOverTo = (u: Value, v: Value): boolean => {
    const cu = classRange.get(classOf.get(u.id) as number) as LiveRange;
    const cv = classRange.get(classOf.get(v.id) as number) as LiveRange;
    if (cu.end !== cv.start) return false;
    return values.some((w) => {
      const over = plan.values.get(w.id)?.inPlaceOf;
      return (
        classOf.get(w.id) === classOf.get(v.id) &&
        (ranges.get(w.id) as LiveRange).start === cv.start &&
        over !== undefined &&
        classOf.get(over) === classOf.get(u.id)
      );
    });
  };

  for (const batch of batches) {
    const arena = evalAffine(plan.arena, batch);
    const spans = values.map((v) => {
      const e = plan.values.get(v.id) as PlannedValue;
      return { v, lo: evalAffine(e.offset, batch), hi: evalAffine(e.offset, batch) + evalAffine(e.size, batch) };
    });
    for (const { v, lo, hi } of spans) {
      if (lo % plan.alignment !== 0) problems.push(`N=${batch}: ${describeValue(v)} starts at ${lo}, not a multiple of ${plan.alignment}`);
      if (lo < 0 || hi > arena) problems.push(`N=${batch}: ${describeValue(v)} spans [${lo}, ${hi}) outside the arena of ${arena} bytes`);
    }
    for (let a = 0; a < spans.length; a++) {
      for (let b = a + 1; b < spans.length; b++) {
        const s = spans[a];
        const t = spans[b];
        if (s.hi <= t.lo || t.hi <= s.lo || s.lo === s.hi || t.lo === t.hi) continue;
        if (classOf.get(s.v.id) === classOf.get(t.v.id)) continue;
        const rs = classRange.get(classOf.get(s.v.id) as number) as LiveRange;
        const rt = classRange.get(classOf.get(t.v.id) as number) as LiveRange;
        const disjoint = rs.end < rt.start || rt.end < rs.start;
        if (disjoint || handsOverTo(s.v, t.v) || handsOverTo(t.v, s.v)) continue;
        problems.push(
          `N=${batch}: ${describeValue(s.v)} [${s.lo}, ${s.hi}) live ${rs.start}..${rs.end} overlaps ` +
            `${describeValue(t.v)} [${t.lo}, ${t.hi}) live ${rt.start}..${rt.end}`,
        );
      }
    }
  }
  return problems;
}
