/**
 * decompose-activations on the IR: every composite op of the registry, written
 * as its primitives, agrees with its own definition (the reference, checked
 * against TF.js in test/ops) on special values, branch points and far tails;
 * the pass adds no constant, leaves primitives alone and sits after fusion.
 * `scale_shift`, the primitive that carries the decompositions' numbers, is
 * checked against TF.js. The IR it writes is in golden/decompose_activations*.ir.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { IRError } from '../../compiler/ir/errors.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { getOp } from '../../compiler/ir/op.js';
import { f32 } from '../../compiler/ir/tensor.js';
import { decomposeActivations } from '../../compiler/passes/decompose_activations.js';
import { PIPELINE } from '../../compiler/passes/pipeline.js';
import { compareSpecial, SPECIAL_VALUES } from '../ops/special_values.js';
import { compositeCases, compositeGraph, compositeInputs } from './decompose_activations_cases.js';

const CASES = compositeCases();

describe('decompose-activations', () => {
  it('finds the composite activations in the registry', () => {
    expect(CASES.map((c) => c.label)).toEqual(
      expect.arrayContaining(['selu', 'hard_sigmoid', 'softsign', 'swish', 'mish', 'gelu_approximate_false', 'gelu_approximate_true']),
    );
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s: the primitives agree with the definition', (_label, c) => {
    const original = compositeGraph([c]);
    const decomposed = compositeGraph([c]);
    expect(decomposeActivations.run(decomposed)).toBe(true);
    expect(decomposed.nodes.filter((n) => getOp(n.op).decompose)).toEqual([]);
    expect(decomposed.weights.size).toBe(0);
    for (const batch of [1, 2]) {
      const inputs = compositeInputs(batch);
      const [want] = interpret(original, inputs);
      const [got] = interpret(decomposed, inputs);
      expect(compareSpecial(got, want)).toBeNull();
    }
  });

  it('changes nothing in a graph of primitives', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 4] });
    b.output('y', b.op('relu6', [b.op('sigmoid', [b.op('leaky_relu', [x], { alpha: 0.1 })])]));
    expect(decomposeActivations.run(b.graph)).toBe(false);
  });

  it('runs after both fusion passes', () => {
    const names = PIPELINE.map((s) => s.pass.name);
    expect(names.indexOf('decompose-activations')).toBeGreaterThan(names.indexOf('epilogue-fusion'));
    expect(names.indexOf('decompose-activations')).toBeGreaterThan(names.indexOf('elementwise-fusion'));
  });
});

describe('scale_shift', () => {
  const values = SPECIAL_VALUES;
  it.each([
    [0.2, 0.5],
    [1, 1],
    [-1, 0],
    [1.0507009873554805, 0],
    [0, 3],
  ])('x * %f + %f matches TF.js', (scale, shift) => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [values.length] });
    b.output('y', b.op('scale_shift', [x], { scale, shift }));
    const [got] = interpret(b.graph, [f32([values.length], values)]);
    const want = tf.tidy(() => tf.add(tf.mul(tf.tensor1d([...values]), scale), shift).dataSync());
    expect(compareSpecial(got, f32([values.length], want))).toBeNull();
  });

  it('keeps the sign of -0 with a zero shift, as a multiplication does', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [1] });
    b.output('y', b.op('scale_shift', [x], { scale: 2, shift: 0 }));
    expect(Object.is(interpret(b.graph, [f32([1], [-0])])[0].data[0], -0)).toBe(true);
  });

  it('refuses a non-finite scale or shift', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [1] });
    expect(() => b.op('scale_shift', [x], { scale: Infinity, shift: 0 })).toThrow(IRError);
    expect(() => b.op('scale_shift', [x], { scale: 1, shift: NaN })).toThrow(/shift must be finite/);
  });
});
