/**
 * Property test: random elementwise DAGs (unary activations, broadcasting
 * binary ops against earlier values, biases, scalars and a second input,
 * compare + select, several graph outputs) go through the full pass pipeline,
 * so `fused` elementwise kernels with several results appear, and the WebGPU
 * target must match the reference interpreter. As in test/passes/random_graph.ts,
 * values stay away from overflow (exp, log and sqrt only of bounded or positive
 * values, divisors at least 1) and discontinuities are only applied to graph
 * inputs, so any mismatch is a real bug.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import type { Graph, Value } from '../../../compiler/ir/graph.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { runPasses } from '../../../compiler/passes/manager.js';
import { pipelinePasses } from '../../../compiler/passes/pipeline.js';
import { Rng } from '../../passes/random_graph.js';
import { checkOnGpu, describeGpu, randomValues } from './check.js';

const UNARY = ['relu', 'relu6', 'tanh', 'sigmoid', 'softsign', 'swish', 'abs', 'neg', 'elu', 'selu', 'gelu', 'softplus', 'mish', 'hard_sigmoid', 'erf', 'leaky_relu'];
const BINARY = ['add', 'sub', 'mul', 'maximum', 'minimum'];
const COMPARE = ['greater', 'less', 'greater_equal', 'less_equal'];

/** A graph over x: f32[N,3,4] and y: f32[N,1,4], one step per seed. */
function elementwiseGraph(steps: readonly number[]): Graph {
  const b = new GraphBuilder('random_elementwise');
  const x = b.input('x', { dtype: 'f32', shape: ['N', 3, 4] });
  const y = b.input('y', { dtype: 'f32', shape: ['N', 1, 4] });
  let weights = 0;
  const constant = (shape: number[], r: Rng, offset = 0): Value =>
    b.constant(`w${weights++}`, f32(shape, randomValues(shape.reduce((n, d) => n * d, 1), r.int(1, 1000)).map((v) => v + offset)));
  const pool: Value[] = [x];
  const outputs: Value[] = [];
  for (const seed of steps) {
    const r = new Rng(seed);
    const v = r.pick(pool.slice(-3));
    const kind = r.int(0, 5);
    let out: Value;
    if (kind === 0) {
      out = b.op(r.pick(UNARY), [v]);
    } else if (kind === 1) {
      const other = r.pick([r.pick(pool), constant([4], r), constant([], r), constant([3, 1], r), y]);
      out = r.chance(0.5) ? b.op(r.pick(BINARY), [v, other]) : b.op(r.pick(BINARY), [other, v]);
    } else if (kind === 2) {
      // Divisors of at least 1.
      out = b.op('div', [v, b.op('add', [b.op('abs', [r.pick(pool)]), constant([], r, 2)])]);
    } else if (kind === 3) {
      const bounded = b.op('tanh', [v]);
      const pick = r.int(0, 2);
      if (pick === 0) out = b.op('exp', [bounded]);
      else if (pick === 1) out = b.op('log', [b.op('add', [b.op('sigmoid', [v]), constant([4], r, 2)])]);
      else out = b.op('sqrt', [b.op('add', [b.op('square', [bounded]), constant([], r, 2)])]);
    } else if (kind === 4) {
      // A condition on graph inputs only, where no rounding difference can flip it.
      const cond = b.op(r.pick(COMPARE), [r.chance(0.5) ? x : y, constant([4], r)]);
      out = b.op('select', [cond, v, r.pick(pool)]);
    } else {
      out = b.op('mul', [b.op('cast', [b.op('greater', [x, y])], { to: 'f32' }), v]);
    }
    pool.push(out);
    if (r.chance(0.25)) outputs.push(out);
  }
  outputs.push(pool[pool.length - 1]);
  [...new Set(outputs)].forEach((v, i) => b.output(`out${i}`, v));
  return b.graph;
}

describeGpu('webgpu fused elementwise kernels on random graphs', () => {
  it('match the interpreter after the full pipeline', async () => {
    let fused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 2, maxLength: 10 }), async (steps) => {
        const g = elementwiseGraph(steps);
        runPasses(g, pipelinePasses());
        fused += g.nodes.filter((n) => n.op === 'fused').length;
        expect(await checkOnGpu(g)).toEqual([]);
      }),
      { numRuns: 20, seed: 17 },
    );
    // A pipeline that never fused would pass the numbers check without testing fused kernels.
    expect(fused).toBeGreaterThan(10);
  }, 120_000);
});
