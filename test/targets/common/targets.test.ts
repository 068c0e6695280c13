/**
 * The two targets behind the driver's `Target` interface: the support scan
 * names what a target lacks, and one memory plan made by the caller serves
 * both targets (and the relaxed-SIMD twin) without being changed, giving the
 * same artifacts as each target planning on its own.
 */
import '../../../compiler/ops/index.js';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { planMemory } from '../../../compiler/plan/index.js';
import { addAffine, alignAffine, maxAffine, staticAffine } from '../../../compiler/plan/affine.js';
import { evalAffine } from '../../../runtime/affine.js';
import { compileWasm, WASM_TARGET } from '../../../targets/wasm/index.js';
import { compileWebGpu, WEBGPU_TARGET } from '../../../targets/webgpu/index.js';

const MODEL = `graph @g(%x: f32[N,3]) -> (y: f32[N,4], z: f32[N,4]) {
  %0 = const() {ref="w", dtype="f32", shape=[3,4]} : f32[3,4]
  %1 = matmul(%x, %0) {transpose_a=false, transpose_b=false} : f32[N,4]
  %2 = relu(%1) : f32[N,4]
  %3 = exp(%2) : f32[N,4]
  return %2, %3
}
weights {
  "w": f32[3,4] = [1,2,3,4,5,6,7,8,9,10,11,12]
}`;

describe('targets behind the Target interface', () => {
  it('are named as --target spells them', () => {
    expect([WASM_TARGET.name, WEBGPU_TARGET.name]).toEqual(['wasm', 'webgpu']);
  });

  it('share one memory plan, unchanged, with the artifacts of planning alone', () => {
    const graph = parseGraph(MODEL);
    const plan = planMemory(graph);
    const before = JSON.stringify([...plan.values.entries()]) + JSON.stringify(plan.arena);
    const wasm = WASM_TARGET.compile(graph, plan);
    const gpu = WEBGPU_TARGET.compile(graph, plan);
    expect(JSON.stringify([...plan.values.entries()]) + JSON.stringify(plan.arena)).toBe(before);

    const alone = compileWasm(parseGraph(MODEL));
    expect(wasm.wasm.wasm).toEqual(alone.wasm);
    expect(wasm.wasm.weights).toEqual(alone.weights);
    expect(wasm.wasm.layout).toEqual(alone.layout);
    expect(wasm.relaxed.layout).toEqual(alone.layout);
    expect(wasm.relaxed.weights).toEqual(alone.weights);
    expect(gpu.webgpu).toEqual(compileWebGpu(parseGraph(MODEL)));
  });

  it('list the nodes they cannot compile, each with a sentence naming the op', () => {
    const graph = parseGraph(`graph @g(%x: f32[N,2,3,4]) -> (y: f32[N,2,3,4]) {
  %1 = neg(%x) : f32[N,2,3,4]
  %2 = scan(%1) {num_states=0, num_sequences=1, reverse=false} : f32[N,2,3,4] {
    graph @outer(%xt: f32[N,3,4]) -> (y: f32[N,3,4]) {
      %3 = scan(%xt) {num_states=0, num_sequences=1, reverse=false} : f32[N,3,4] {
        graph @inner(%xs: f32[N,4]) -> (y: f32[N,4]) {
          %4 = neg(%xs) : f32[N,4]
          return %4
        }
      }
      return %3
    }
  }
  return %2
}`);
    for (const target of [WASM_TARGET, WEBGPU_TARGET]) {
      expect(target.unsupported(parseGraph(MODEL))).toEqual([]);
      const found = target.unsupported(graph);
      expect(found.map((u) => [graph.nodes.indexOf(u.node), u.op, u.reason])).toEqual([
        [1, 'scan', `the ${target.name} target does not support a 'scan' nested in a 'scan' body`],
      ]);
    }
  });
});

describe('affine arithmetic', () => {
  it('adds, maxes and aligns both parts so the result holds for every batch', () => {
    const a = { base: 10, perBatch: 300 };
    const b = { base: 700, perBatch: 4 };
    expect(addAffine(a, b)).toEqual({ base: 710, perBatch: 304 });
    expect(maxAffine(a, b)).toEqual({ base: 700, perBatch: 300 });
    expect(alignAffine(a)).toEqual({ base: 256, perBatch: 512 });
    expect(alignAffine(a, 16)).toEqual({ base: 16, perBatch: 304 });
    expect(staticAffine(5)).toEqual({ base: 5, perBatch: 0 });
    for (const n of [0, 1, 7]) expect(evalAffine(addAffine(a, b), n)).toBe(evalAffine(a, n) + evalAffine(b, n));
  });
});
