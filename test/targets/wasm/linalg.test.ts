/**
 * The wasm general matmul (run-time right operand, transposes, batched and
 * broadcast batch axes), reduce_min / reduce_prod, layer_norm, batch_norm and argmax, against the reference
 * interpreter at batch 1 and 3 on odd sizes.
 */
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { checkAgainstInterpreter } from './check.js';

describe('wasm general matmul', () => {
  it.each([
    ['[N,4,6]', '[N,6,5]', false, false, '[N,4,5]'],
    ['[N,6,4]', '[N,6,3]', true, false, '[N,4,3]'],
    ['[N,4,6]', '[N,7,6]', false, true, '[N,4,7]'],
    ['[N,6,4]', '[N,5,6]', true, true, '[N,4,5]'],
    ['[N,2,3,5]', '[5,6]', false, false, '[N,2,3,6]'],
    ['[3,5]', '[N,2,5,9]', false, false, '[N,2,3,9]'],
    ['[N,2,1,3,4]', '[1,2,4,2]', false, false, '[N,2,2,3,2]'],
    ['[N,5]', '[5,3]', false, false, '[N,3]'],
  ])('%s x %s (transpose_a=%s, transpose_b=%s)', async (a, b, ta, tb, out) => {
    const g = parseGraph(`graph @g(%a: f32${a}, %b: f32${b}) -> (y: f32${out}) {
  %1 = matmul(%a, %b) {transpose_a=${ta}, transpose_b=${tb}} : f32${out}
  return %1
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });
});

describe('wasm reduce_min and reduce_prod', () => {
  it.each([
    ['reduce_min', '[N,10]', '{axes=[-1], keepdims=false}', '[N]'],
    ['reduce_min', '[N,5,3]', '{axes=[1], keepdims=true}', '[N,1,3]'],
    ['reduce_prod', '[N,7]', '{axes=[1], keepdims=false}', '[N]'],
    ['reduce_prod', '[N,3,6]', '{axes=[1], keepdims=false}', '[N,6]'],
  ])('%s %s %s', async (op, shape, attrs, out) => {
    const g = parseGraph(`graph @g(%x: f32${shape}) -> (y: f32${out}) {
  %1 = ${op}(%x) ${attrs} : f32${out}
  return %1
}`);
    expect(await checkAgainstInterpreter(g, { scale: 1.5 })).toEqual([]);
  });
});

describe('wasm layer_norm', () => {
  it.each([
    ['[N,10]', '[-1]', '[10]'],
    ['[N,3,7]', '[-1]', '[7]'],
    ['[N,2,3,5]', '[2,3]', '[3,5]'],
  ])('%s over axes %s', async (shape, axes, param) => {
    const g = parseGraph(`graph @g(%x: f32${shape}, %gamma: f32${param}, %beta: f32${param}) -> (y: f32${shape}) {
  %1 = layer_norm(%x, %gamma, %beta) {axes=${axes}, epsilon=0.001} : f32${shape}
  return %1
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });
});

describe('wasm batch_norm (unfolded)', () => {
  it.each([
    ['[N,2,3,5]', -1, '[5]'],
    ['[N,3,4]', 1, '[3]'],
  ])('%s along axis %s', async (shape, axis, param) => {
    const g = parseGraph(`graph @g(%x: f32${shape}, %m: f32${param}, %v: f32${param}, %g: f32${param}, %b: f32${param}) -> (y: f32${shape}) {
  %1 = abs(%v) : f32${param}
  %2 = batch_norm(%x, %m, %1, %g, %b) {epsilon=0.001, axis=${axis}} : f32${shape}
  return %2
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });
});

describe('wasm argmax', () => {
  it.each([
    ['[N,10]', -1, '[N]'],
    ['[N,5,3]', 1, '[N,3]'],
    ['[N,4,1]', 1, '[N,1]'],
  ])('%s along axis %s', async (shape, axis, out) => {
    const g = parseGraph(`graph @g(%x: f32${shape}) -> (y: i32${out}) {
  %1 = round(%x) : f32${shape}
  %2 = argmax(%1) {axis=${axis}} : i32${out}
  return %2
}`);
    // Rounded values make ties common: the first maximum must win.
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });
});
