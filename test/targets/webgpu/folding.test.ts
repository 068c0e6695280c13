/**
 * Algebraic folds a finite-math shader compiler may apply (WGSL lets it
 * assume floats are finite): `x - x = 0`, `x + -x = 0`, `x / x = 1`,
 * `x * 0 = 0`, `(x * y) / y = x`, `x == x`, `max(x, x) = x`, ... Each is
 * wrong for NaN or an infinity, so each graph below feeds them and holds the
 * result to the reference interpreter. Dawn + SwiftShader folded
 * `(x - x) + x` to `x` (fuzz seed 100568: Inf instead of NaN).
 */
import { expect, it } from 'vitest';
import '../../../compiler/ops/index.js';
import { GraphBuilder } from '../../../compiler/ir/builder.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { f32, type Tensor } from '../../../compiler/ir/tensor.js';
import type { Shape, TensorType } from '../../../compiler/ir/types.js';
import { optimizeGraph } from '../../../driver/cli/pipeline_options.js';
import { describeGpu } from './check.js';
import { batchOf, fusedGraph, specialProblems } from './special_check.js';

const VALUES = [NaN, Infinity, -Infinity, 0, -0, 1, -2.5, 3.4e38, -3.4e38, 1e-7, 7];
const n = VALUES.length;
const F32 = (...shape: Shape): TensorType => ({ dtype: 'f32', shape });
/** The outputs whose zero sign the policy fixes (docs/OPS.md, "Special values"). */
const zeroSign = (name: string): boolean => /^(maximum|minimum|select|leaky_relu)/.test(name);
const pair = (batch: number): Tensor[] => [f32([batch, n], batchOf(VALUES, batch)), f32([batch, n], batchOf(VALUES, batch, 3))];

/** Each fold on x alone and on the pair (x, y). */
function folds(k: GraphBuilder, x: Value, y: Value): [string, Value][] {
  const asF32 = (v: Value): Value => k.op('cast', [v], { to: 'f32' });
  const minusX = k.op('neg', [x]);
  return [
    ['sub:x-x', k.op('sub', [x, x])],
    ['add:(x-x)+x', k.op('add', [k.op('sub', [x, x]), x])],
    ['add:x+(-x)', k.op('add', [x, minusX])],
    ['add:(-x)+x', k.op('add', [minusX, x])],
    ['sub:x-(-(-x))', k.op('sub', [x, k.op('neg', [minusX])])],
    ['div:x/x', k.op('div', [x, x])],
    ['div:(x*y)/y', k.op('div', [k.op('mul', [x, y]), y])],
    ['sub:(x+y)-y', k.op('sub', [k.op('add', [x, y]), y])],
    ['mul:x*(y-y)', k.op('mul', [x, k.op('sub', [y, y])])],
    ['mul:(y-y)*x', k.op('mul', [k.op('sub', [y, y]), x])],
    ['mul:x*0', k.op('mul', [x, k.op('mul', [y, k.op('sub', [y, y])])])],
    ['leaky_relu:alpha=0', k.op('leaky_relu', [x], { alpha: 0 })],
    ['cast:x==x', asF32(k.op('equal', [x, x]))],
    ['cast:x!=x', asF32(k.op('not_equal', [x, x]))],
    ['cast:x<=x', asF32(k.op('less_equal', [x, x]))],
    ['cast:x>=x', asF32(k.op('greater_equal', [x, x]))],
    ['cast:x<x', asF32(k.op('less', [x, x]))],
    ['maximum:x,x', k.op('maximum', [x, x])],
    ['minimum:x,x', k.op('minimum', [x, x])],
    ['select:x==x?x:y', k.op('select', [k.op('equal', [x, x]), x, y])],
  ];
}

describeGpu('webgpu: no algebraic fold loses a NaN or an infinity', () => {
  it('in a fused elementwise kernel', async () => {
    const g = fusedGraph([['x', F32('N', n)], ['y', F32('N', n)]], (k, [x, y]) => folds(k, x, y));
    expect(await specialProblems(g, pair, zeroSign)).toEqual([]);
  });

  it('in plain elementwise kernels after the pipeline (fuzz seed 100568: add(sub(x, x), x))', async () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', F32('N', n));
    b.output('add:seed-100568', b.op('add', [b.op('sub', [x, x]), x]));
    b.output('div:x/x', b.op('div', [x, x]));
    const zeros = b.constant('zeros', f32([n], new Array<number>(n).fill(0)));
    b.output('mul:x*zeros', b.op('mul', [x, zeros]));
    b.output('mul:zeros*x', b.op('mul', [zeros, x]));
    const g = b.graph;
    optimizeGraph(g, {});
    expect(await specialProblems(g, (batch) => pair(batch).slice(0, 1), zeroSign)).toEqual([]);
  });
});
