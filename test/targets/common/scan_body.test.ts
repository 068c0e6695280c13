/**
 * The scan-body helpers both targets share: which body inputs are weights,
 * whether a body compiles (nested loops, views of weights, missing kernels,
 * each named), and which planned buffer a view lives in.
 */
import '../../../compiler/ops/index.js';
import { describe, expect, it } from 'vitest';
import type { Node } from '../../../compiler/ir/graph.js';
import { graphFacts } from '../../../compiler/ir/constants.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { planMemory } from '../../../compiler/plan/index.js';
import { kernelRegistry, type KernelEmitter } from '../../../targets/common/kernel_registry.js';
import { bodyFacts, bodyUnsupported, firstInvariant, rootOf } from '../../../targets/common/scan_body.js';

const supported: KernelEmitter<{ node: Node }, string> = { unsupported: () => null, emit: ({ node }) => node.op };
const TOY = kernelRegistry<{ node: Node }, string>('toy', () => ({ kernels: { add: supported, neg: supported, scan: supported }, epilogues: {} }));

function scanOf(src: string): { outer: ReturnType<typeof parseGraph>; scan: Node } {
  const outer = parseGraph(src);
  const scan = outer.nodes.find((n) => n.op === 'scan') as Node;
  return { outer, scan };
}

const WITH_INVARIANT = `graph @g(%x: f32[N,2,3]) -> (y: f32[N,2,3]) {
  %0 = const() {ref="w", dtype="f32", shape=[3]} : f32[3]
  %1 = scan(%x, %0) {num_states=0, num_sequences=1, reverse=false} : f32[N,2,3] {
    graph @body(%xt: f32[N,3], %w: f32[3]) -> (y: f32[N,3]) {
      %2 = add(%xt, %w) : f32[N,3]
      return %2
    }
  }
  return %1
}
weights {
  "w": f32[3] = [1,2,3]
}`;

describe('scan body helpers', () => {
  it('sees an invariant as a weight when the scan\'s operand is one, a sequence never', () => {
    const { outer, scan } = scanOf(WITH_INVARIANT);
    const body = scan.body!;
    expect(firstInvariant(scan)).toBe(1);
    const facts = bodyFacts(scan, body, graphFacts(outer));
    expect(facts.constant(body.inputs[0])).toBeUndefined();
    expect([...(facts.constant(body.inputs[1])?.data ?? [])]).toEqual([1, 2, 3]);
    expect(bodyUnsupported(scan, body, graphFacts(outer), TOY, { copiesWeightViews: false })).toBeNull();
  });

  it('names an op the target lacks inside the body', () => {
    const { outer, scan } = scanOf(WITH_INVARIANT.replace('add(%xt, %w)', 'sub(%xt, %w)'));
    expect(bodyUnsupported(scan, scan.body!, graphFacts(outer), TOY, { copiesWeightViews: true })).toBe(
      "the toy target does not support op 'sub' yet (inside a 'scan' body)",
    );
  });

  it('refuses a scan nested in a scan body', () => {
    const { outer, scan } = scanOf(`graph @g(%x: f32[N,2,3,4]) -> (y: f32[N,2,3,4]) {
  %1 = scan(%x) {num_states=0, num_sequences=1, reverse=false} : f32[N,2,3,4] {
    graph @outer(%xt: f32[N,3,4]) -> (y: f32[N,3,4]) {
      %2 = scan(%xt) {num_states=0, num_sequences=1, reverse=false} : f32[N,3,4] {
        graph @inner(%xs: f32[N,4]) -> (y: f32[N,4]) {
          %3 = neg(%xs) : f32[N,4]
          return %3
        }
      }
      return %2
    }
  }
  return %1
}`);
    expect(bodyUnsupported(scan, scan.body!, graphFacts(outer), TOY, { copiesWeightViews: true })).toBe(
      "the toy target does not support a 'scan' nested in a 'scan' body",
    );
  });

  it('refuses a view of a weight inside the body only where the target cannot copy one', () => {
    const { outer, scan } = scanOf(`graph @g(%x: f32[N,2,3]) -> (y: f32[N,2,3]) {
  %1 = scan(%x) {num_states=0, num_sequences=1, reverse=false} : f32[N,2,3] {
    graph @body(%xt: f32[N,3]) -> (y: f32[N,3]) {
      %2 = const() {ref="w", dtype="f32", shape=[1,3]} : f32[1,3]
      %3 = reshape(%2) {shape=[3]} : f32[3]
      %4 = add(%xt, %3) : f32[N,3]
      return %4
    }
  }
  return %1
}
weights {
  "w": f32[1,3] = [1,2,3]
}`);
    const facts = graphFacts(outer);
    expect(bodyUnsupported(scan, scan.body!, facts, TOY, { copiesWeightViews: false })).toBe(
      "the toy target does not support a 'reshape' view of a weight inside a 'scan' body yet",
    );
    expect(bodyUnsupported(scan, scan.body!, facts, TOY, { copiesWeightViews: true })).toBeNull();
  });

  it('follows a chain of views back to the buffer they share', () => {
    const g = parseGraph(`graph @g(%x: f32[N,6]) -> (y: f32[N,3,2]) {
  %1 = neg(%x) : f32[N,6]
  %2 = reshape(%1) {shape=[N,2,3]} : f32[N,2,3]
  %3 = reshape(%2) {shape=[N,3,2]} : f32[N,3,2]
  return %3
}`);
    const plan = planMemory(g);
    const [neg, , last] = g.nodes;
    expect(rootOf(plan, last.outputs[0])).toBe(neg.outputs[0].id);
    expect(rootOf(plan, neg.outputs[0])).toBe(neg.outputs[0].id);
  });
});
