/**
 * Running graphs with special values on the GPU against the reference
 * interpreter: the helpers the special-values and folding tests share.
 */
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import type { Graph, Value } from '../../../compiler/ir/graph.js';
import { interpret } from '../../../compiler/interpreter/interpreter.js';
import type { Tensor } from '../../../compiler/ir/tensor.js';
import type { TensorType } from '../../../compiler/ir/types.js';
import { compileWebGpu } from '../../../targets/webgpu/index.js';
import { compareSpecial } from '../../ops/special_values.js';
import { loadOnGpu, wgslMessages } from './check.js';

export const rotated = <T>(values: readonly T[], by: number): T[] => values.map((_, i) => values[(i + by) % values.length]);

/** Batch items of `values`, each rotated `step` further than the last. */
export function batchOf(values: readonly number[], batch: number, step = 7): number[] {
  return Array.from({ length: batch }, (_, b) => rotated(values, step * b)).flat();
}

/**
 * Runs `g` on the GPU at batch 1 and 3: '<output>: <difference>' for each
 * output that differs from the interpreter (test/ops/special_values.ts's
 * rule; the sign of a zero counts for the outputs `zeroSign` names).
 */
export async function specialProblems(g: Graph, inputs: (batch: number) => Tensor[], zeroSign: (output: string) => boolean): Promise<string[]> {
  const artifact = compileWebGpu(g);
  const messages = await wgslMessages(artifact);
  if (messages.length > 0) return messages;
  const model = await loadOnGpu(g, artifact);
  const problems: string[] = [];
  try {
    for (const batch of [1, 3]) {
      const xs = inputs(batch);
      const want = interpret(g, xs);
      const got = await model.run(xs, batch);
      want.forEach((w, j) => {
        const name = g.outputs[j].name;
        const why = compareSpecial(got[j], w, { zeroSign: zeroSign(name) });
        if (why) problems.push(`batch ${batch}, ${name}: ${why}`);
      });
    }
  } finally {
    model.dispose();
  }
  return problems;
}

/**
 * One fused elementwise kernel over `inputs` whose body `build` makes; each
 * named body result becomes the graph output of that name.
 */
export function fusedGraph(inputs: [string, TensorType][], build: (b: GraphBuilder, xs: Value[]) => [string, Value][]): Graph {
  const body = new GraphBuilder('kernel');
  const results = build(
    body,
    inputs.map(([name, type]) => body.input(name, type)),
  );
  results.forEach(([, v], k) => body.output(`r${k}`, v));
  const outer = new GraphBuilder('g');
  const operands = inputs.map(([name, type]) => outer.input(name, type));
  const outs = outer.apply('fused', operands, { name: 'special-values' }, body.graph);
  outs.forEach((v, k) => outer.output(results[k][0], v));
  return outer.graph;
}
