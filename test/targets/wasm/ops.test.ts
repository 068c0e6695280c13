/**
 * Each op the wasm target supports, compiled alone and run against the
 * reference interpreter at batch 1 and 3: unary ops over wide ranges and
 * special values, binary ops and select under broadcasting, reductions and
 * softmax over rows whose lengths are not multiples of 4.
 */
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32 } from '../../../compiler/ir/tensor.js';
import { checkAgainstInterpreter, randomValues } from './check.js';

const UNARY = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'erf', 'floor', 'ceil', 'round', 'sign', 'relu', 'relu6',
  'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'leaky_relu',
];

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5, 1e-3, -1e-3, 1e-7, 1e-30, 1e-40, -1e-40, 20, -20, 88, 89, -88, -104, -110, 100, Infinity, -Infinity, NaN, 3.4e38];

/** Batch rows of 13: wide random values, then the special values. */
function unaryInputs(batch: number): ReturnType<typeof f32>[] {
  const count = batch * 13;
  const values = randomValues(count, batch, 12);
  SPECIAL.forEach((v, i) => {
    if (i < count) values[i] = v;
  });
  return [f32([batch, 13], values)];
}

/** Inputs that stay inside the domain where f32 and f64 agree within tolerance (log/sqrt of positives). */
function positiveInputs(batch: number): ReturnType<typeof f32>[] {
  const values = randomValues(batch * 13, batch, 1).map((v) => Math.exp(v * 20));
  return [f32([batch, 13], values)];
}

function unaryGraph(op: string, attrs = ''): string {
  return `graph @g(%x: f32[N,13]) -> (y: f32[N,13]) {
  %1 = ${op}(%x)${attrs} : f32[N,13]
  return %1
}`;
}

describe('wasm unary ops', () => {
  it.each(UNARY)('%s', async (op) => {
    const g = parseGraph(unaryGraph(op));
    expect(await checkAgainstInterpreter(g, { inputs: unaryInputs })).toEqual([]);
    expect(await checkAgainstInterpreter(g, { inputs: positiveInputs })).toEqual([]);
  });

  it.each([
    ['elu', ' {alpha=0.5}'],
    ['leaky_relu', ' {alpha=0.01}'],
    ['clip', ' {min=-1.5, max=2}'],
    ['gelu', ' {approximate=true}'],
  ])('%s%s', async (op, attrs) => {
    const g = parseGraph(unaryGraph(op, attrs));
    expect(await checkAgainstInterpreter(g, { inputs: unaryInputs })).toEqual([]);
  });
});

describe('wasm binary ops with broadcasting', () => {
  const shapes: [string, string, string][] = [
    ['[N,6]', '[N,6]', '[N,6]'],
    ['[N,5,3]', '[3]', '[N,5,3]'],
    ['[N,5,3]', '[5,1]', '[N,5,3]'],
    ['[N,1,7]', '[4,1]', '[N,4,7]'],
    ['[]', '[N,9]', '[N,9]'],
    ['[N,2,3,5]', '[1,3,1]', '[N,2,3,5]'],
    ['[N,1]', '[N,10]', '[N,10]'],
  ];
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum']) {
    it.each(shapes)(`${op} %s %s`, async (a, b, out) => {
      const g = parseGraph(`graph @g(%a: f32${a}, %b: f32${b}) -> (y: f32${out}) {
  %1 = ${op}(%a, %b) : f32${out}
  return %1
}`);
      expect(await checkAgainstInterpreter(g)).toEqual([]);
    });
  }

  it.each(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'])('%s feeding select', async (op) => {
    const g = parseGraph(`graph @g(%a: f32[N,6], %b: f32[6]) -> (y: f32[N,6]) {
  %r = ${op}(%a, %b) : bool[N,6]
  %s = select(%r, %a, %b) : f32[N,6]
  return %s
}`);
    // Rounded inputs make equal values common.
    const inputs = (batch: number) => [f32([batch, 6], randomValues(batch * 6, 5).map(Math.round)), f32([6], randomValues(6, 9).map(Math.round))];
    expect(await checkAgainstInterpreter(g, { inputs })).toEqual([]);
  });
});

describe('wasm reductions and softmax', () => {
  it.each([
    ['reduce_sum', '[N,10]', '{axes=[-1], keepdims=false}', '[N]'],
    ['reduce_mean', '[N,4,6]', '{axes=[1,2], keepdims=false}', '[N]'],
    ['reduce_max', '[N,3,7]', '{axes=[2], keepdims=true}', '[N,3,1]'],
    ['reduce_mean', '[N,2,2,5]', '{axes=[1,2,3], keepdims=true}', '[N,1,1,1]'],
    ['reduce_sum', '[N,3]', '{axes=[1], keepdims=false}', '[N]'],
  ])('%s %s %s', async (op, shape, attrs, out) => {
    const g = parseGraph(`graph @g(%x: f32${shape}) -> (y: f32${out}) {
  %1 = ${op}(%x) ${attrs} : f32${out}
  return %1
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });

  it.each([
    ['softmax', '[N,10]'],
    ['softmax', '[N,3,16]'],
    ['softmax', '[N,1]'],
    ['log_softmax', '[N,10]'],
    ['log_softmax', '[N,2,5]'],
  ])('%s %s', async (op, shape) => {
    const g = parseGraph(`graph @g(%x: f32${shape}) -> (y: f32${shape}) {
  %1 = ${op}(%x) {axis=-1} : f32${shape}
  return %1
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
    expect(await checkAgainstInterpreter(g, { scale: 60 })).toEqual([]);
  });
});
