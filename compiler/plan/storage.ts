/**
 * Storage groups: values that occupy the same bytes at different times or
 * under different shapes, so the placement sees one buffer for all of them.
 * - A view (OpDef.view: reshape, identity, ...) of a planned value shares its
 *   operand's buffer; no data moves. A view of a weight gets its own buffer
 *   (the target copies), since weights live outside the arena.
 * - A result may take over the buffer of an operand in place when the op
 *   allows it at that position (OpDef.inPlaceOperands), the operand's whole
 *   group dies at this node, no other operand reads that group, and the byte
 *   sizes and element sizes are equal.
 * A group is live from its first member's start to its last member's end.
 */
import type { Graph, Node, Value } from '../ir/graph.js';
import { getOp } from '../ir/op.js';
import { bytesPerElement } from '../ir/types.js';
import { affineBytes, sameAffine, type Affine } from './affine.js';
import type { LiveRange } from './liveness.js';

/** How a value shares bytes with another: as a view of it, or by overwriting it in place. */
export interface Sharing {
  aliasOf?: number;
  inPlaceOf?: number;
}

export interface StorageGroup {
  /** Value ids, in definition order. */
  members: number[];
  size: Affine;
  start: number;
  end: number;
}

export interface Storage {
  groups: StorageGroup[];
  groupOf: Map<number, number>;
  sharing: Map<number, Sharing>;
}

/** Operand positions of `node` that a result may overwrite (see OpDef.inPlaceOperands). */
export function inPlacePositions(node: Node): number[] {
  const def = getOp(node.op);
  if (def.inPlaceOperands) return def.inPlaceOperands(node.inputs.map((v) => v.type), node.attrs, node.body);
  return def.elementwise ? node.inputs.map((_, i) => i) : [];
}

export function describeValue(v: Value): string {
  return `value %${v.id}${v.name !== undefined ? ` '${v.name}'` : ''}`;
}

export function buildStorage(g: Graph, ranges: Map<number, LiveRange>): Storage {
  const groups: StorageGroup[] = [];
  const groupOf = new Map<number, number>();
  const sharing = new Map<number, Sharing>();
  const rangeOf = (v: Value): LiveRange => {
    const r = ranges.get(v.id);
    if (!r) throw new Error(`${describeValue(v)} has no live range`);
    return r;
  };
  const join = (v: Value, group: number): void => {
    const gr = groups[group];
    gr.members.push(v.id);
    gr.end = Math.max(gr.end, rangeOf(v).end);
    groupOf.set(v.id, group);
  };
  const open = (v: Value): void => {
    const r = rangeOf(v);
    groupOf.set(v.id, groups.length);
    groups.push({ members: [v.id], size: affineBytes(v.type, describeValue(v)), start: r.start, end: r.end });
  };

  for (const v of g.inputs) open(v);
  g.nodes.forEach((node, i) => {
    const def = getOp(node.op);
    if (def.readsWeight) return;
    if (def.view && groupOf.has(node.inputs[0].id)) {
      join(node.outputs[0], groupOf.get(node.inputs[0].id) as number);
      sharing.set(node.outputs[0].id, { aliasOf: node.inputs[0].id });
      return;
    }
    const allowed = new Set(inPlacePositions(node));
    const taken = new Set<number>();
    for (const result of node.outputs) {
      const size = affineBytes(result.type, describeValue(result));
      const operand = node.inputs.find((o, k) => {
        const group = groupOf.get(o.id);
        if (!allowed.has(k) || group === undefined || taken.has(group) || groups[group].end !== i) return false;
        if (bytesPerElement(o.type.dtype) !== bytesPerElement(result.type.dtype)) return false;
        if (!sameAffine(affineBytes(o.type, describeValue(o)), size)) return false;
        // Every read of this group at this node must be of this very value at a position that allows overwriting.
        return node.inputs.every((other, m) => groupOf.get(other.id) !== group || (other.id === o.id && allowed.has(m)));
      });
      if (operand) {
        const group = groupOf.get(operand.id) as number;
        taken.add(group);
        join(result, group);
        sharing.set(result.id, { inPlaceOf: operand.id });
      } else {
        open(result);
      }
    }
  });
  return { groups, groupOf, sharing };
}
