import { describe, expect, it } from 'vitest';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { f32, tensor } from '../../compiler/ir/tensor.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { affineBytes, evalAffine, PlanError } from '../../compiler/plan/affine.js';
import { checkPlan } from '../../compiler/plan/check.js';
import { planMemory, type MemoryPlan } from '../../compiler/plan/plan.js';
import { runWithPlan } from './arena.js';

function ramp(shape: number[], scale = 0.1): ReturnType<typeof f32> {
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(shape, Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3) * scale * (1 + (i % 5))));
}

function naiveBytes(g: Graph, batch: number): number {
  let total = 0;
  for (const n of g.nodes) {
    if (n.op === 'const') continue;
    for (const v of n.outputs) total += evalAffine(affineBytes(v.type, 'v'), batch);
  }
  return total;
}

/** The plan is valid for several batch sizes, and running through the arena gives the interpreter's outputs. */
function expectSound(g: Graph, plan: MemoryPlan, inputShapes: number[][]): void {
  expect(checkPlan(g, plan, [1, 2, 3, 8, 64])).toEqual([]);
  for (const batch of [1, 3]) {
    const inputs = inputShapes.map((s) => ramp(s.map((d) => (d < 0 ? batch : d))));
    const want = interpret(g, inputs);
    const got = runWithPlan(g, plan, inputs);
    expect(got.map((t) => Array.from(t.data))).toEqual(want.map((t) => Array.from(t.data)));
  }
}

describe('affine sizes', () => {
  it('counts N as the batch and rejects sizes not linear in N', () => {
    expect(affineBytes({ dtype: 'f32', shape: ['N', 4, 2] }, 'x')).toEqual({ base: 0, perBatch: 32 });
    expect(affineBytes({ dtype: 'bool', shape: [3, 5] }, 'x')).toEqual({ base: 15, perBatch: 0 });
    expect(() => affineBytes({ dtype: 'f32', shape: ['N', 'N'] }, 'value %7')).toThrow(PlanError);
    expect(() => affineBytes({ dtype: 'f32', shape: ['N', 'N'] }, 'value %7')).toThrow(/value %7.*linear in the batch N/);
  });
});

describe('memory plan', () => {
  it('reuses buffers along a deep chain: two buffers suffice for 20 matmuls', () => {
    const b = new GraphBuilder('chain');
    let x = b.input('x', { dtype: 'f32', shape: ['N', 32] });
    for (let i = 0; i < 20; i++) x = b.op('matmul', [x, b.constant(`w${i}`, ramp([32, 32]))]);
    b.output('y', x);
    verifyGraph(b.graph);
    const plan = planMemory(b.graph);
    expect(plan.arena).toEqual({ base: 0, perBatch: 2 * 256 });
    expect(evalAffine(plan.arena, 1)).toBeLessThan(naiveBytes(b.graph, 1));
    expectSound(b.graph, plan, [[-1, 32]]);
  });

  it('aligns every offset to 256 bytes for every batch size, even for odd sizes', () => {
    const b = new GraphBuilder('odd');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 3] });
    const s = b.input('s', { dtype: 'f32', shape: [5] });
    const m = b.op('matmul', [x, b.constant('w', ramp([3, 7]))]);
    const t = b.op('reduce_sum', [s], { axes: [0], keepdims: true });
    const u = b.op('add', [m, t]);
    const mask = b.op('greater', [u, b.scalar(0)]);
    b.output('u', u);
    b.output('mask', mask);
    const plan = planMemory(b.graph);
    for (const entry of plan.values.values()) {
      expect(entry.offset.base % 256).toBe(0);
      expect(entry.offset.perBatch % 256).toBe(0);
    }
    expectSound(b.graph, plan, [[-1, 3], [5]]);
  });

  it('writes elementwise results in place over operands that die there', () => {
    const b = new GraphBuilder('inplace');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 64] });
    const e = b.op('exp', [x]);
    const r = b.op('relu', [e]);
    const y = b.op('mul', [r, b.constant('scale', ramp([64]))]);
    b.output('y', y);
    const plan = planMemory(b.graph);
    expect(plan.values.get(e.id)?.inPlaceOf).toBe(x.id);
    expect(plan.values.get(r.id)?.inPlaceOf).toBe(e.id);
    expect(plan.values.get(y.id)?.inPlaceOf).toBe(r.id);
    expect(plan.arena).toEqual({ base: 0, perBatch: 256 });
    expectSound(b.graph, plan, [[-1, 64]]);
  });

  it('does not write in place over an operand that is read later, of another size, or of another element size', () => {
    const b = new GraphBuilder('no-inplace');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 8] });
    const c = b.input('c', { dtype: 'f32', shape: ['N', 1] });
    const e = b.op('exp', [x]); // x is read again below
    const s = b.op('add', [c, e]); // c is smaller than the result; e dies here
    const m = b.op('greater', [s, x]); // bool result: 1 byte per element, operands 4
    const f = b.op('cast', [m], { to: 'f32' });
    b.output('f', f);
    const plan = planMemory(b.graph);
    expect(plan.values.get(e.id)?.inPlaceOf).toBeUndefined();
    expect(plan.values.get(s.id)?.inPlaceOf).toBe(e.id);
    expect(plan.values.get(m.id)?.inPlaceOf).toBeUndefined();
    expect(plan.values.get(f.id)?.inPlaceOf).toBeUndefined();
    expectSound(b.graph, plan, [[-1, 8], [-1, 1]]);
  });

  it('never writes in place over a graph output', () => {
    const b = new GraphBuilder('keep-output');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 4] });
    const e = b.op('exp', [x]);
    const r = b.op('relu', [e]);
    b.output('e', e);
    b.output('r', r);
    const plan = planMemory(b.graph);
    expect(plan.values.get(r.id)?.inPlaceOf).toBeUndefined();
    expectSound(b.graph, plan, [[-1, 4]]);
  });

  it('lets views share their operand buffer and keeps the operand alive as long as the view', () => {
    const b = new GraphBuilder('views');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 4, 4] });
    const r = b.op('relu', [x]);
    const flat = b.op('reshape', [r], { shape: ['N', 16] });
    const id = b.op('identity', [flat]);
    const d = b.op('dropout', [id], { rate: 0.5 });
    const ex = b.op('expand_dims', [d], { axis: 1 });
    const sq = b.op('squeeze', [ex], { axes: [1] });
    const y = b.op('matmul', [sq, b.constant('w', ramp([16, 16]))]);
    const z = b.op('add', [y, flat]);
    b.output('z', z);
    const plan = planMemory(b.graph);
    for (const [view, of] of [[flat, r], [id, flat], [d, id], [ex, d], [sq, ex]] as const) {
      expect(plan.values.get(view.id)?.aliasOf).toBe(of.id);
      expect(plan.values.get(view.id)?.offset).toEqual(plan.values.get(r.id)?.offset);
    }
    // y is written while `flat` (r's bytes) is still needed by the add: they must not share.
    expect(plan.values.get(y.id)?.offset).not.toEqual(plan.values.get(r.id)?.offset);
    expectSound(b.graph, plan, [[-1, 4, 4]]);
  });

  it('gives a view of a weight its own buffer, since weights live outside the arena', () => {
    const b = new GraphBuilder('weight-view');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 6] });
    const w = b.op('reshape', [b.constant('w', ramp([2, 3]))], { shape: [6] });
    const y = b.op('add', [x, w]);
    b.output('y', y);
    const plan = planMemory(b.graph);
    expect(plan.values.get(w.id)?.aliasOf).toBeUndefined();
    expectSound(b.graph, plan, [[-1, 6]]);
  });

  it('keeps batch-dependent and batch-independent buffers apart, where sizes at N=1 would mislead', () => {
    // At N=1 the static 1024-byte tensor and the [N,256] tensors have the same size, and `t` dies
    // before `h` is born, so a planner comparing sizes at N=1 would put `h` where `t` was; for
    // N=2 `h` would then run over into whatever lies above.
    const b = new GraphBuilder('mixed');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 256] });
    const s = b.input('s', { dtype: 'f32', shape: [256] });
    const t = b.op('exp', [s]);
    const u = b.op('reduce_sum', [t], { axes: [0], keepdims: true });
    const h = b.op('tanh', [x]);
    const k = b.op('matmul', [h, b.constant('w', ramp([256, 256], 0.01))]);
    const y = b.op('add', [k, u]);
    b.output('y', y);
    const plan = planMemory(b.graph);
    const staticSize = plan.arena.base;
    for (const v of [s, t, u]) expect(plan.values.get(v.id)?.offset.perBatch).toBe(0);
    for (const v of [x, h, k, y]) {
      expect(plan.values.get(v.id)?.offset.base).toBe(staticSize);
      expect(plan.values.get(v.id)?.offset.perBatch).toBeGreaterThanOrEqual(0);
    }
    expectSound(b.graph, plan, [[-1, 256], [256]]);

    // The plan a size-at-N=1 planner would make is caught at N=2 but not at N=1.
    const at = (base: number): { base: number; perBatch: number } => ({ base, perBatch: 0 });
    const offsets = new Map([[s, 0], [t, 1024], [u, 2048], [x, 2304], [h, 1024], [k, 0], [y, 2304]]);
    const naive: MemoryPlan = { values: new Map(), arena: at(3328), alignment: 256 };
    for (const [v, offset] of offsets) {
      const entry = plan.values.get(v.id);
      if (!entry) throw new Error(`value %${v.id} is not planned`);
      naive.values.set(v.id, { offset: at(offset), size: entry.size, start: entry.start, end: entry.end });
    }
    expect(checkPlan(b.graph, naive, [1])).toEqual([]);
    expect(checkPlan(b.graph, naive, [2]).join('\n')).toMatch(/N=2/);
  });

  it('reports overlapping live buffers, misalignment and missing values', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 64] });
    const y = b.op('matmul', [x, b.constant('w', ramp([64, 64]))]);
    b.output('y', y);
    const plan = planMemory(b.graph);
    const entry = plan.values.get(y.id);
    if (!entry) throw new Error('missing plan entry');
    const clash = { ...plan, values: new Map(plan.values).set(y.id, { ...entry, offset: { base: 0, perBatch: 0 } }) };
    expect(checkPlan(b.graph, clash).join('\n')).toMatch(/overlaps/);
    const skew = { ...plan, values: new Map(plan.values).set(y.id, { ...entry, offset: { base: 0, perBatch: 260 } }) };
    expect(checkPlan(b.graph, skew).join('\n')).toMatch(/not a multiple of 256/);
    const missing = { ...plan, values: new Map(plan.values) };
    missing.values.delete(y.id);
    expect(checkPlan(b.graph, missing).join('\n')).toMatch(/no place in the plan/);
    const fakeAlias = { ...plan, values: new Map(plan.values).set(y.id, { ...entry, aliasOf: x.id }) };
    expect(checkPlan(b.graph, fakeAlias).join('\n')).toMatch(/not a view/);
  });

  it('plans graph inputs returned as outputs, dead results and bool tensors', () => {
    const b = new GraphBuilder('odds');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 5] });
    b.op('exp', [x]); // never used
    const m = b.op('greater', [x, b.scalar(0.5)]);
    const n = b.op('logical_not', [m]);
    b.output('x', x);
    b.output('n', n);
    b.output('w', b.constant('w', tensor('i32', [2], [1, 2])));
    const plan = planMemory(b.graph);
    expect(plan.values.get(n.id)?.inPlaceOf).toBe(m.id);
    expectSound(b.graph, plan, [[-1, 5]]);
  });
});
