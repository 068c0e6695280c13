/**
 * Dtype-aware glue between IR tensors and TensorFlow.js (the independent
 * oracle), and a runner that takes each operand's declared type, so tests
 * can give any operand a symbolic `N` axis.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import {
  allocData,
  GraphBuilder,
  interpret,
  parseGraph,
  printGraph,
  verifyGraph,
  type Attrs,
  type DType,
  type Shape,
  type Tensor,
} from '../../compiler/index.js';
import { compareTensors, CONFORMANCE_TOLERANCE, type Tolerance } from '../helpers/tolerance.js';

const TO_TF: Record<DType, 'float32' | 'int32' | 'bool'> = { f32: 'float32', i32: 'int32', bool: 'bool' };
const FROM_TF: Record<string, DType> = { float32: 'f32', int32: 'i32', bool: 'bool' };

export interface Operand {
  value: Tensor;
  /** Declared shape of the graph input (may hold `N`); the value's shape when absent. */
  shape?: Shape;
}

/**
 * Builds `y = op(operands...)` from graph inputs, verifies it, checks the
 * print/parse round trip and runs it through the reference interpreter.
 */
export function runTyped(op: string, operands: Operand[], attrs: Attrs = {}): Tensor {
  const b = new GraphBuilder(op);
  const inputs = operands.map((o, i) => b.input(`x${i}`, { dtype: o.value.dtype, shape: o.shape ?? o.value.shape }));
  b.output('y', b.op(op, inputs, attrs));
  verifyGraph(b.graph);
  const text = printGraph(b.graph);
  const back = parseGraph(text);
  verifyGraph(back);
  expect(printGraph(back)).toBe(text);
  return interpret(back, operands.map((o) => o.value))[0];
}

/** Builds the op's node and returns its inferred result type, or throws what inference throws. */
export function inferTyped(op: string, operands: { dtype: DType; shape: Shape }[], attrs: Attrs = {}): { dtype: DType; shape: Shape } {
  const b = new GraphBuilder(op);
  const inputs = operands.map((t, i) => b.input(`x${i}`, t));
  return b.op(op, inputs, attrs).type;
}

export function toTfTensor(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data), t.shape, TO_TF[t.dtype]);
}

export function fromTfTensor(t: tf.Tensor): Tensor {
  const dtype = FROM_TF[t.dtype];
  if (!dtype) throw new Error(`no IR dtype for tfjs dtype ${t.dtype}`);
  const src = t.dataSync() as ArrayLike<number>;
  const data = allocData(dtype, src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i];
  return { dtype, shape: [...t.shape], data };
}

/** Asserts the dtype and, within tolerance, the values of `got` against an oracle tensor. */
export function expectMatches(got: Tensor, expected: tf.Tensor | Tensor, tol: Tolerance = CONFORMANCE_TOLERANCE): void {
  const want = expected instanceof tf.Tensor ? fromTfTensor(expected) : expected;
  expect(got.dtype).toBe(want.dtype);
  expect(compareTensors(got, want, tol)).toBeNull();
}
