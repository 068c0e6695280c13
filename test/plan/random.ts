/**
 * Random graphs for memory-plan tests: a mix of batch-dependent ([N,...])
 * and static values, elementwise chains (in-place candidates), views of
 * activations and of weights, values read far from where they are made,
 * size-changing ops (matmul to a wider result, reductions, concat, bool
 * comparisons), and several outputs, some of them graph inputs or weights.
 * A recipe is a list of steps; each step's integers pick an op and operands.
 */
import fc from 'fast-check';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { f32 } from '../../compiler/ir/tensor.js';
import { formatShape } from '../../compiler/ir/types.js';

export type Step = [number, number, number];

export const recipeArb = fc.record({
  staticInput: fc.boolean(),
  steps: fc.array(fc.tuple(fc.nat(11), fc.nat(1000), fc.nat(1000)), { minLength: 1, maxLength: 24 }),
  outputs: fc.array(fc.nat(1000), { minLength: 0, maxLength: 3 }),
});

export type Recipe = { staticInput: boolean; steps: Step[]; outputs: number[] };

function weight(shape: number[], seed: number): ReturnType<typeof f32> {
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(shape, Array.from({ length: n }, (_, i) => Math.sin(seed * 13.1 + i * 0.7) * 0.5));
}

export function buildRandomGraph(recipe: Recipe): Graph {
  const b = new GraphBuilder('random');
  const pool: Value[] = [b.input('x', { dtype: 'f32', shape: ['N', 8] })];
  if (recipe.staticInput) pool.push(b.input('s', { dtype: 'f32', shape: [8] }));
  const f32s = (): Value[] => pool.filter((v) => v.type.dtype === 'f32');
  const pick = (list: Value[], k: number): Value => list[k % list.length];
  const withShape = (shape: string): Value[] => f32s().filter((v) => formatShape(v.type.shape) === shape);
  let weights = 0;
  const constant = (shape: number[]): Value => b.constant(`w${weights++}`, weight(shape, weights));
  const unary = ['relu', 'tanh', 'neg', 'sigmoid', 'abs'];
  const binary = ['add', 'mul', 'sub', 'maximum'];

  recipe.steps.forEach(([kind, p, q]) => {
    const a = pick(f32s(), p);
    const shape = formatShape(a.type.shape);
    switch (kind) {
      case 0:
        pool.push(b.op(unary[q % unary.length], [a]));
        break;
      case 1:
        pool.push(b.op(binary[q % binary.length], [a, pick(withShape(shape), q)]));
        break;
      case 2: {
        // broadcast against a static row: a weight or a static value
        const last = a.type.shape[a.type.shape.length - 1] as number;
        const rows = withShape(`[${last}]`);
        const other = q % 2 === 0 || rows.length === 0 ? constant([last]) : pick(rows, q);
        pool.push(b.op(binary[q % binary.length], [a, other]));
        break;
      }
      case 3:
        if (shape === '[N,8]') pool.push(b.op('reshape', [a], { shape: ['N', 2, 4] }));
        else if (a.type.shape[0] === 'N') pool.push(b.op('reshape', [a], { shape: ['N', -1] }));
        else pool.push(b.op('identity', [a]));
        break;
      case 4:
        pool.push(q % 2 === 0 ? b.op('identity', [a]) : b.op('expand_dims', [a], { axis: 0 }));
        break;
      case 5: {
        if (a.type.shape.length !== 2) break;
        const k = a.type.shape[1] as number;
        pool.push(b.op('matmul', [a, constant([k, q % 3 === 0 ? 2 * k : k])]));
        break;
      }
      case 6:
        pool.push(b.op('reduce_sum', [a], { axes: [-1], keepdims: true }));
        break;
      case 7: {
        const mask = b.op('greater', [a, pick(withShape(shape), q)]);
        pool.push(b.op('cast', [mask], { to: 'f32' }));
        break;
      }
      case 8:
        pool.push(b.op('concat', [a, pick(withShape(shape), q)], { axis: -1 }));
        break;
      case 9: {
        // a view of a weight, read by an activation
        const last = a.type.shape[a.type.shape.length - 1] as number;
        const row = b.op('reshape', [constant([1, last])], { shape: [last] });
        pool.push(b.op('add', [a, row]));
        break;
      }
      case 10:
        pool.push(b.op('softmax', [a]));
        break;
      default:
        pool.push(b.op('exp', [b.op('tanh', [a])]));
    }
  });
  const last = pool[pool.length - 1];
  b.output('out', last);
  recipe.outputs.forEach((k, i) => b.output(`extra${i}`, pick(pool, k)));
  if (recipe.outputs.length === 3) b.output('weight', constant([3]));
  return b.graph;
}
