/**
 * The `tfc inspect` report: what the optimizing pipeline did to a model.
 * Counts compare the graph as imported with the optimized one; byte figures
 * are at batch size 1 and come from the optimized graph and its memory plan.
 */
import type { Graph } from './ir/graph.js';
import { getOp } from './ir/op.js';
import { bytesPerElement, elementCount } from './ir/types.js';
import { evalAffine } from './plan/affine.js';
import { planMemory, type MemoryPlan } from './plan/plan.js';
import type { BuildReport } from '../runtime/manifest.js';
import { attrsOf } from './ir/node_attrs.js';
import { OP } from './ir/op_types.js';

/** Exactly the keys of `tfc inspect --json`; bundles record the same report in their manifest. */
export type InspectReport = BuildReport;

function computationNodes(g: Graph): number {
  return g.nodes.filter((n) => !getOp(n.op).readsWeight).length;
}

/** Nodes a target launches (no weight reads, no views), counted by op name, sorted by name. */
export function kernelOps(g: Graph): Record<string, number> {
  const counts = new Map<string, number>();
  for (const n of g.nodes) {
    const def = getOp(n.op);
    if (def.readsWeight || def.view) continue;
    counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function naiveBytes(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    if (getOp(n.op).readsWeight) continue;
    for (const v of n.outputs) total += elementCount(v.type.shape, 1) * bytesPerElement(v.type.dtype);
  }
  return total;
}

function collectWeightRefs(g: Graph, into: Set<string>): void {
  for (const n of g.nodes) {
    if (getOp(n.op).readsWeight) into.add(attrsOf(n, OP.const).ref);
    if (n.body) collectWeightRefs(n.body, into);
  }
}

function weightBytes(g: Graph): number {
  const refs = new Set<string>();
  collectWeightRefs(g, refs);
  let total = 0;
  for (const ref of refs) {
    const t = g.weights.get(ref);
    // From the shape: reading `data` would compute a lazy (DSL) weight just to count it.
    if (t) total += elementCount(t.shape) * bytesPerElement(t.dtype);
  }
  return total;
}

/** `plan` is `after`'s memory plan: a build passes the one it made; `tfc inspect`, which has none, leaves it to be made here. */
export function inspectGraphs(before: Graph, after: Graph, plan: MemoryPlan = planMemory(after)): InspectReport {
  const ops = kernelOps(after);
  return {
    nodes_before: computationNodes(before),
    kernels_after: Object.values(ops).reduce((s, c) => s + c, 0),
    ops_after: ops,
    peak_bytes: evalAffine(plan.arena, 1),
    naive_bytes: naiveBytes(after),
    weight_bytes: weightBytes(after),
  };
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** An aligned table for people: labels left, numbers right-aligned; ops by count (most first), then name. */
export function formatInspectReport(report: InspectReport): string {
  const ratio = report.naive_bytes > 0 ? ` (${((100 * report.peak_bytes) / report.naive_bytes).toFixed(1)}% of naive)` : '';
  const rows: [string, number, string][] = [
    ['nodes before', report.nodes_before, ''],
    ['kernels after', report.kernels_after, ''],
    ['peak bytes (N=1)', report.peak_bytes, `${formatBytes(report.peak_bytes)}${ratio}`],
    ['naive bytes (N=1)', report.naive_bytes, formatBytes(report.naive_bytes)],
    ['weight bytes', report.weight_bytes, formatBytes(report.weight_bytes)],
  ];
  const ops = Object.entries(report.ops_after).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  const all: [string, number, string][] = [...rows, ...ops.map(([op, count]): [string, number, string] => [`  ${op}`, count, ''])];
  const labelWidth = Math.max(...all.map(([label]) => label.length));
  const numberWidth = Math.max(...all.map(([, n]) => n.toLocaleString('en-US').length));
  const line = ([label, n, note]: [string, number, string]): string =>
    `${label.padEnd(labelWidth)}  ${n.toLocaleString('en-US').padStart(numberWidth)}${note ? `  ${note}` : ''}`;
  return `${[...rows.map(line), 'ops after:', ...all.slice(rows.length).map(line)].join('\n')}\n`;
}
