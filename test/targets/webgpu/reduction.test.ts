/**
 * The WebGPU reduction family against the reference interpreter: reductions
 * over many axis sets (batch axis, non-contiguous axes, keepdims), argmax,
 * softmax / log_softmax, layer_norm and batch_norm, on rows of length 1 and
 * 7 (one invocation per row), 300 (64-invocation workgroups) and 1000 (256),
 * at batch 1 and 3, with NaN and infinities where the reference defines them.
 */
import { expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { f32, tensor, type Tensor } from '../../../compiler/ir/tensor.js';
import { elementCount, resolveShape } from '../../../compiler/ir/types.js';
import { checkOnGpu, describeGpu, randomValues } from './check.js';

/** A graph of one unary op from `x` of `input` type to `output` type. */
function unary(op: string, input: string, attrs: string, output: string): Graph {
  return parseGraph(`graph @g(%x: ${input}) -> (y: ${output}) {
  %1 = ${op}(%x) ${attrs} : ${output}
  return %1
}`);
}

/** Inputs for `g` made by `values(count, seed, input)` for each input. */
function inputsOf(g: Graph, values: (count: number, seed: number, input: number) => number[] | Float32Array): (batch: number) => Tensor[] {
  return (batch) =>
    g.inputs.map((v, i) => {
      const shape = resolveShape(v.type.shape, batch);
      return tensor(v.type.dtype, shape, values(elementCount(shape), 11 * batch + i, i));
    });
}

/** Random values with NaN, +inf and -inf at scattered positions. */
function withSpecials(count: number, seed: number): Float32Array {
  const out = randomValues(count, seed, 3);
  const specials = [NaN, Infinity, -Infinity];
  for (let i = 5; i < count; i += 37) out[i] = specials[(i / 37) % 3 | 0];
  return out;
}

const rounded = (count: number, seed: number): number[] => Array.from(randomValues(count, seed, 3), Math.round);

describeGpu('webgpu reductions', () => {
  it.each([
    ['reduce_sum', 'f32[N,1]', '{axes=[-1], keepdims=false}', 'f32[N]'],
    ['reduce_sum', 'f32[N,7]', '{axes=[-1], keepdims=true}', 'f32[N,1]'],
    ['reduce_sum', 'f32[N,300]', '{axes=[1], keepdims=false}', 'f32[N]'],
    ['reduce_sum', 'f32[N,1000]', '{axes=[-1], keepdims=false}', 'f32[N]'],
    ['reduce_sum', 'f32[N,4,6]', '{axes=[], keepdims=false}', 'f32[N,4,6]'],
    ['reduce_mean', 'f32[N,4,6]', '{axes=[1,2], keepdims=false}', 'f32[N]'],
    ['reduce_mean', 'f32[N,5,7,3]', '{axes=[1,2], keepdims=true}', 'f32[N,1,1,3]'],
    ['reduce_mean', 'f32[N,10,30,2]', '{axes=[1,2], keepdims=false}', 'f32[N,2]'],
    ['reduce_mean', 'f32[N,1000]', '{axes=[1], keepdims=false}', 'f32[N]'],
    ['reduce_mean', 'f32[N,4,3,5]', '{axes=[1,3], keepdims=false}', 'f32[N,3]'],
    ['reduce_mean', 'f32[N,1,7]', '{axes=[1], keepdims=true}', 'f32[N,1,7]'],
    ['reduce_sum', 'f32[N,5]', '{axes=[0], keepdims=false}', 'f32[5]'],
    ['reduce_mean', 'f32[N,4,3]', '{axes=[0,2], keepdims=true}', 'f32[1,4,1]'],
    ['reduce_max', 'f32[N,6]', '{axes=[0,1], keepdims=false}', 'f32[]'],
    ['reduce_max', 'f32[N,3,7]', '{axes=[2], keepdims=true}', 'f32[N,3,1]'],
    ['reduce_max', 'f32[N,300]', '{axes=[-1], keepdims=false}', 'f32[N]'],
    ['reduce_max', 'f32[3,N,2]', '{axes=[0,2], keepdims=false}', 'f32[N]'],
    ['reduce_min', 'f32[N,5,3]', '{axes=[1], keepdims=true}', 'f32[N,1,3]'],
    ['reduce_min', 'f32[N,1000]', '{axes=[-1], keepdims=false}', 'f32[N]'],
    ['reduce_min', 'f32[N,7]', '{axes=[-2], keepdims=false}', 'f32[7]'],
  ])('%s %s %s', async (op, input, attrs, output) => {
    expect(await checkOnGpu(unary(op, input, attrs, output))).toEqual([]);
  });

  it.each([
    ['f32[N,7]', '{axes=[-1], keepdims=false}', 'f32[N]'],
    ['f32[N,3,6]', '{axes=[1], keepdims=false}', 'f32[N,6]'],
    ['f32[N,300]', '{axes=[-1], keepdims=false}', 'f32[N]'],
    ['f32[N,1000]', '{axes=[-1], keepdims=false}', 'f32[N]'],
  ])('reduce_prod %s %s', async (input, attrs, output) => {
    const g = unary('reduce_prod', input, attrs, output);
    // Factors near 1 keep long products in range.
    const near1 = (count: number, seed: number): number[] => Array.from(randomValues(count, seed, 0.05), (v) => 1 + v);
    expect(await checkOnGpu(g, { inputs: inputsOf(g, near1) })).toEqual([]);
  });

  it.each([
    ['reduce_max', 'f32[N,7]'],
    ['reduce_min', 'f32[N,300]'],
    ['reduce_sum', 'f32[N,1000]'],
  ])('%s %s propagates NaN and infinities', async (op, input) => {
    const g = unary(op, input, '{axes=[-1], keepdims=false}', 'f32[N]');
    expect(await checkOnGpu(g, { inputs: inputsOf(g, withSpecials) })).toEqual([]);
  });

  it.each([
    ['reduce_sum', 'i32[N,7]', '{axes=[-1], keepdims=false}', 'i32[N]'],
    ['reduce_sum', 'i32[N,1000]', '{axes=[-1], keepdims=false}', 'i32[N]'],
    ['reduce_max', 'i32[N,300]', '{axes=[-1], keepdims=false}', 'i32[N]'],
    ['reduce_min', 'i32[N,4,5]', '{axes=[0,1], keepdims=true}', 'i32[1,1,5]'],
    ['reduce_prod', 'i32[N,6]', '{axes=[1], keepdims=false}', 'i32[N]'],
  ])('%s %s %s', async (op, input, attrs, output) => {
    const g = unary(op, input, attrs, output);
    expect(await checkOnGpu(g, { inputs: inputsOf(g, rounded) })).toEqual([]);
  });
});

describeGpu('webgpu argmax', () => {
  it.each([
    ['f32[N,1]', -1, 'i32[N]'],
    ['f32[N,7]', -1, 'i32[N]'],
    ['f32[N,300]', 1, 'i32[N]'],
    ['f32[N,1000]', -1, 'i32[N]'],
    ['f32[N,5,3]', 1, 'i32[N,3]'],
    ['f32[N,4]', 0, 'i32[4]'],
    ['i32[N,7]', -1, 'i32[N]'],
    ['i32[N,300]', -1, 'i32[N]'],
  ])('%s along axis %s', async (input, axis, output) => {
    const g = unary('argmax', input, `{axis=${axis}}`, output);
    // Rounded values make ties common: the first maximum must win.
    expect(await checkOnGpu(g, { inputs: inputsOf(g, rounded) })).toEqual([]);
  });

  it.each([['f32[N,7]'], ['f32[N,300]']])('picks the first NaN of a row like the reference on %s', async (input) => {
    const g = unary('argmax', input, '{axis=-1}', 'i32[N]');
    const values = (count: number, seed: number): Float32Array => {
      const out = withSpecials(count, seed);
      // A NaN first element wins; a row of NaNs gives 0; elsewhere the first of the scattered NaNs.
      out[0] = NaN;
      out.fill(NaN, count - 7);
      return out;
    };
    expect(await checkOnGpu(g, { inputs: inputsOf(g, values) })).toEqual([]);
  });
});

describeGpu('webgpu softmax', () => {
  it.each([
    ['softmax', 'f32[N,1]', -1],
    ['softmax', 'f32[N,7]', -1],
    ['softmax', 'f32[N,300]', -1],
    ['softmax', 'f32[N,1000]', 1],
    ['softmax', 'f32[N,7,3]', 1],
    ['softmax', 'f32[N,4]', 0],
    ['log_softmax', 'f32[N,7]', -1],
    ['log_softmax', 'f32[N,2,5]', -1],
    ['log_softmax', 'f32[N,300]', -1],
    ['log_softmax', 'f32[N,1000,2]', 1],
  ])('%s %s along axis %s', async (op, input, axis) => {
    const g = unary(op, input, `{axis=${axis}}`, input);
    expect(await checkOnGpu(g)).toEqual([]);
    expect(await checkOnGpu(g, { scale: 60 })).toEqual([]);
  });

  it.each([
    ['softmax', 'f32[N,7]'],
    ['log_softmax', 'f32[N,300]'],
  ])('%s %s with NaN and infinities', async (op, input) => {
    const g = unary(op, input, '{axis=-1}', input);
    const rowLength = Number(/,(\d+)\]/.exec(input)?.[1]);
    const values = (count: number, seed: number): Float32Array => {
      const out = randomValues(count, seed, 3);
      // Row 0: -inf entries only (finite max); row 1: NaN; row 2 (batch 3): all -inf.
      for (let i = 0; i < rowLength; i += 3) out[i] = -Infinity;
      if (count > rowLength) out[rowLength + 2] = NaN;
      if (count > 2 * rowLength) out.fill(-Infinity, 2 * rowLength, 3 * rowLength);
      return out;
    };
    expect(await checkOnGpu(g, { inputs: inputsOf(g, values), batches: [1, 2, 3] })).toEqual([]);
  });
});

describeGpu('webgpu layer_norm and batch_norm', () => {
  it.each([
    ['[N,1]', '[-1]', '[1]'],
    ['[N,7]', '[-1]', '[7]'],
    ['[N,3,300]', '[-1]', '[300]'],
    ['[N,1000]', '[-1]', '[1000]'],
    ['[N,2,3,5]', '[2,3]', '[3,5]'],
    ['[N,4,3]', '[1]', '[4]'],
  ])('layer_norm %s over axes %s', async (shape, axes, param) => {
    const g = parseGraph(`graph @g(%x: f32${shape}, %gamma: f32${param}, %beta: f32${param}) -> (y: f32${shape}) {
  %1 = layer_norm(%x, %gamma, %beta) {axes=${axes}, epsilon=0.001} : f32${shape}
  return %1
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('layer_norm with constant gamma and beta', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,7]) -> (y: f32[N,7]) {
  %0 = const() {ref="gamma", dtype="f32", shape=[7]} : f32[7]
  %1 = const() {ref="beta", dtype="f32", shape=[7]} : f32[7]
  %2 = layer_norm(%x, %0, %1) {axes=[-1], epsilon=0.00001} : f32[N,7]
  return %2
}`);
    g.weights.set('gamma', f32([7], randomValues(7, 3)));
    g.weights.set('beta', f32([7], randomValues(7, 4)));
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it.each([
    ['[N,2,3,5]', -1, '[5]'],
    ['[N,3,4]', 1, '[3]'],
    ['[3,N]', 0, '[3]'],
  ])('batch_norm %s along axis %s', async (shape, axis, param) => {
    const g = parseGraph(`graph @g(%x: f32${shape}, %m: f32${param}, %v: f32${param}, %g: f32${param}, %b: f32${param}) -> (y: f32${shape}) {
  %1 = batch_norm(%x, %m, %v, %g, %b) {epsilon=0.001, axis=${axis}} : f32${shape}
  return %1
}`);
    // Variances (input 2) must not be negative.
    const values = (count: number, seed: number, input: number): Float32Array => randomValues(count, seed, 3).map((v) => (input === 2 ? Math.abs(v) : v));
    expect(await checkOnGpu(g, { inputs: inputsOf(g, values) })).toEqual([]);
  });
});
