import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatShape,
  GraphBuilder,
  interpret,
  parseGraph,
  printGraph,
  resolveShape,
  verifyGraph,
  type Attrs,
  type Shape,
  type Tensor,
  type TensorType,
} from '../../compiler/index.js';
import { compareTensors } from '../helpers/tolerance.js';
import { randomTensor } from './random.js';

const BATCH = 3;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data), t.shape, t.dtype === 'f32' ? 'float32' : t.dtype === 'i32' ? 'int32' : 'bool');
}

function fromTf(t: tf.Tensor): Tensor {
  const values = t.dataSync();
  const data = t.dtype === 'float32' ? Float32Array.from(values) : t.dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
  const dtype = t.dtype === 'float32' ? 'f32' : t.dtype === 'int32' ? 'i32' : 'bool';
  return { dtype, shape: [...t.shape], data };
}

const f32 = (...shape: Shape): TensorType => ({ dtype: 'f32', shape });

interface Operand {
  type: TensorType;
  value: Tensor;
}

/** A random operand of a symbolic type: `N` becomes BATCH in the data. */
function operand(dtype: 'f32' | 'i32', shape: Shape, seed: number, range?: { min: number; max: number }): Operand {
  return { type: { dtype, shape }, value: randomTensor(resolveShape(shape, BATCH), seed, { dtype, ...range }) };
}

/**
 * Builds a one-node graph, checks it verifies and round-trips through the text
 * form, runs the reference and checks the result has the inferred type.
 */
function run(op: string, operands: Operand[], attrs: Attrs): { type: TensorType; value: Tensor } {
  const b = new GraphBuilder('t');
  const inputs = operands.map((o, i) => b.input(`x${i}`, o.type));
  // Binds N to BATCH even when no operand has a batch axis (e.g. broadcast_to a shape with N).
  b.input('batch', f32('N'));
  const y = b.op(op, inputs, attrs);
  b.output('y', y);
  verifyGraph(b.graph);
  const text = printGraph(b.graph);
  expect(printGraph(parseGraph(text))).toBe(text);
  const [value] = interpret(b.graph, [...operands.map((o) => o.value), randomTensor([BATCH], 0)]);
  expect(value.dtype).toBe(y.type.dtype);
  expect(value.shape).toEqual(resolveShape(y.type.shape, BATCH));
  return { type: y.type, value };
}

function expectMatches(got: Tensor, expected: tf.Tensor): void {
  expect(compareTensors(got, fromTf(expected))).toBeNull();
}

function inferError(op: string, types: TensorType[], attrs: Attrs): () => void {
  return () => {
    const b = new GraphBuilder('t');
    b.op(op, types.map((t, i) => b.input(`x${i}`, t)), attrs);
  };
}

describe('reshape', () => {
  it('flattens all but the batch axis', () => {
    const x = operand('f32', ['N', 4, 5, 3], 1);
    const { type, value } = run('reshape', [x], { shape: ['N', -1] });
    expect(formatShape(type.shape)).toBe('[N,60]');
    expectMatches(value, tf.reshape(toTf(x.value), [BATCH, 60]));
  });

  it('splits static axes and lets -1 stand for N', () => {
    const x = operand('f32', ['N', 60], 2);
    const split = run('reshape', [x], { shape: ['N', 5, 12] });
    expect(formatShape(split.type.shape)).toBe('[N,5,12]');
    expectMatches(split.value, tf.reshape(toTf(x.value), [BATCH, 5, 12]));
    const hole = run('reshape', [x], { shape: [-1, 6, 10] });
    expect(formatShape(hole.type.shape)).toBe('[N,6,10]');
    expectMatches(hole.value, tf.reshape(toTf(x.value), [BATCH, 6, 10]));
  });

  it('resolves -1 among static sizes', () => {
    const x = operand('i32', [2, 6], 3, { min: -50, max: 50 });
    const { type, value } = run('reshape', [x], { shape: [3, -1] });
    expect(type.shape).toEqual([3, 4]);
    expectMatches(value, tf.reshape(toTf(x.value), [3, 4]));
  });

  it('refuses to merge or split N with static sizes', () => {
    expect(inferError('reshape', [f32('N', 4)], { shape: [-1] })).toThrow(/merging the batch N/);
    expect(inferError('reshape', [f32('N', 4, 5)], { shape: [-1, 5] })).toThrow(/merging the batch N/);
    expect(inferError('reshape', [f32('N', 4)], { shape: [8] })).toThrow(/merge the batch N/);
    expect(inferError('reshape', [f32(8)], { shape: ['N', 4] })).toThrow(/more N entries/);
    expect(inferError('reshape', [f32('N', 6)], { shape: ['N', 4] })).toThrow(/6 elements per batch entry do not fit 4/);
    expect(inferError('reshape', [f32('N', 6)], { shape: ['N', -1, -1] })).toThrow(/more than one -1/);
    expect(inferError('reshape', [f32(7)], { shape: [2, -1] })).toThrow(/do not divide/);
  });
});

describe('transpose', () => {
  it('permutes axes like tf.transpose', () => {
    const x = operand('f32', ['N', 2, 3, 4], 4);
    const { type, value } = run('transpose', [x], { perm: [0, 3, 1, 2] });
    expect(formatShape(type.shape)).toBe('[N,4,2,3]');
    expectMatches(value, tf.transpose(toTf(x.value), [0, 3, 1, 2]));
    const moved = run('transpose', [x], { perm: [2, 0, 3, 1] });
    expect(formatShape(moved.type.shape)).toBe('[3,N,4,2]');
    expectMatches(moved.value, tf.transpose(toTf(x.value), [2, 0, 3, 1]));
  });

  it('rejects a perm that is not a permutation', () => {
    expect(inferError('transpose', [f32('N', 2, 3)], { perm: [0, 1, 1] })).toThrow(/not a permutation/);
    expect(inferError('transpose', [f32('N', 2, 3)], { perm: [1, 0] })).toThrow(/rank 3/);
  });
});

describe('concat', () => {
  it('joins along inner axes like tf.concat', () => {
    const a = operand('f32', ['N', 2, 3], 5);
    const b = operand('f32', ['N', 4, 3], 6);
    const c = operand('f32', ['N', 1, 3], 7);
    const { type, value } = run('concat', [a, b, c], { axis: 1 });
    expect(formatShape(type.shape)).toBe('[N,7,3]');
    expectMatches(value, tf.concat([a.value, b.value, c.value].map(toTf), 1));
    const last = run('concat', [a, a], { axis: -1 });
    expect(formatShape(last.type.shape)).toBe('[N,2,6]');
    expectMatches(last.value, tf.concat([toTf(a.value), toTf(a.value)], -1));
  });

  it('joins i32 tensors and passes a single operand through', () => {
    const a = operand('i32', [2, 3], 8, { min: -9, max: 9 });
    const b = operand('i32', [5, 3], 9, { min: -9, max: 9 });
    expectMatches(run('concat', [a, b], { axis: 0 }).value, tf.concat([toTf(a.value), toTf(b.value)], 0));
    const x = operand('f32', ['N', 3], 10);
    const single = run('concat', [x], { axis: 0 });
    expect(formatShape(single.type.shape)).toBe('[N,3]');
    expectMatches(single.value, toTf(x.value));
  });

  it('rejects joins along N and mismatched operands', () => {
    expect(inferError('concat', [f32('N', 3), f32('N', 3)], { axis: 0 })).toThrow(/along the batch axis N/);
    expect(inferError('concat', [f32('N', 3), f32('N', 4)], { axis: 0 })).toThrow(/along the batch axis N/);
    expect(inferError('concat', [f32('N', 3, 2), f32('N', 4, 3)], { axis: 1 })).toThrow(/only axis 1 may differ/);
    expect(inferError('concat', [f32('N', 3), { dtype: 'i32', shape: ['N', 3] }], { axis: 1 })).toThrow(/dtypes and ranks/);
  });
});

describe('slice', () => {
  it('takes a box like tf.slice, end <= 0 counting from the end', () => {
    const x = operand('f32', ['N', 8, 6], 11);
    const { type, value } = run('slice', [x], { begin: [0, 2, 1], end: [0, -1, 0] });
    expect(formatShape(type.shape)).toBe('[N,5,5]');
    expectMatches(value, tf.slice(toTf(x.value), [0, 2, 1], [BATCH, 5, 5]));
    const y = operand('i32', [4, 5], 12, { min: 0, max: 100 });
    expectMatches(run('slice', [y], { begin: [1, 0], end: [3, 2] }).value, tf.slice(toTf(y.value), [1, 0], [2, 2]));
  });

  it('keeps the batch axis whole and checks bounds', () => {
    expect(inferError('slice', [f32('N', 4)], { begin: [1, 0], end: [0, 0] })).toThrow(/must keep it whole/);
    expect(inferError('slice', [f32('N', 4)], { begin: [0, 0], end: [2, 0] })).toThrow(/must keep it whole/);
    expect(inferError('slice', [f32('N', 4)], { begin: [0, 3], end: [0, 5] })).toThrow(/does not fit axis 1 of size 4/);
    expect(inferError('slice', [f32('N', 4)], { begin: [0], end: [0] })).toThrow(/begin has 1 entries/);
  });
});

describe('pad', () => {
  it('pads with a constant like tf.pad', () => {
    const x = operand('f32', ['N', 3, 4], 13);
    const pads = [
      [0, 0],
      [1, 2],
      [3, 0],
    ];
    const { type, value } = run('pad', [x], { pads, value: 0.5 });
    expect(formatShape(type.shape)).toBe('[N,6,7]');
    expectMatches(value, tf.pad(toTf(x.value), pads as [number, number][], 0.5));
    const y = operand('i32', [2, 2], 14, { min: 0, max: 9 });
    expectMatches(run('pad', [y], { pads: [[1, 1], [0, 2]], value: -1 }).value, tf.pad(toTf(y.value), [[1, 1], [0, 2]], -1));
  });

  it('rejects padding N, negative pads and fractional i32 values', () => {
    expect(inferError('pad', [f32('N', 3)], { pads: [[1, 0], [0, 0]] })).toThrow(/cannot pad the batch axis 0/);
    expect(inferError('pad', [f32('N', 3)], { pads: [[0, 0], [-1, 0]] })).toThrow(/both >= 0/);
    expect(inferError('pad', [{ dtype: 'i32', shape: [3] }], { pads: [[1, 1]], value: 0.5 })).toThrow(/not an integer/);
  });
});

describe('gather', () => {
  it('gathers rows of a table with batched indices like tf.gather', () => {
    const table = operand('f32', [10, 4], 15);
    const ids = operand('i32', ['N', 3], 16, { min: 0, max: 10 });
    const { type, value } = run('gather', [table, ids], { axis: 0 });
    expect(formatShape(type.shape)).toBe('[N,3,4]');
    expectMatches(value, tf.gather(toTf(table.value), toTf(ids.value), 0));
  });

  it('gathers along an inner axis', () => {
    const x = operand('f32', ['N', 6, 3], 17);
    const ids = operand('i32', [2, 2], 18, { min: 0, max: 6 });
    const { type, value } = run('gather', [x, ids], { axis: 1 });
    expect(formatShape(type.shape)).toBe('[N,2,2,3]');
    expectMatches(value, tf.gather(toTf(x.value), toTf(ids.value), 1));
  });

  it('needs i32 indices; an out-of-range index from a model input is refused, naming the input', () => {
    expect(inferError('gather', [f32(10, 4), f32(3)], {})).toThrow(/indices must be i32/);
    const b = new GraphBuilder('t');
    b.output('y', b.op('gather', [b.input('p', f32(5, 2)), b.input('i', { dtype: 'i32', shape: [3] })], {}));
    const params = randomTensor([5, 2], 19);
    const indices: Tensor = { dtype: 'i32', shape: [3], data: Int32Array.of(0, 7, 1) };
    expect(() => interpret(b.graph, [params, indices])).toThrow(/input 1 'i' holds 7 at element 1, but it indexes a table of 5 rows/);
  });
});

describe('tile', () => {
  it('repeats like tf.tile', () => {
    const x = operand('f32', ['N', 2, 3], 20);
    const { type, value } = run('tile', [x], { reps: [1, 3, 2] });
    expect(formatShape(type.shape)).toBe('[N,6,6]');
    expectMatches(value, tf.tile(toTf(x.value), [1, 3, 2]));
  });

  it('only tiles N once', () => {
    expect(inferError('tile', [f32('N', 2)], { reps: [2, 1] })).toThrow(/batch axis N can only be tiled once/);
    expect(inferError('tile', [f32('N', 2)], { reps: [1, 0] })).toThrow(/at least 1/);
  });
});

describe('expand_dims and squeeze', () => {
  it('inserts a size-1 axis like tf.expandDims', () => {
    const x = operand('f32', ['N', 4], 21);
    for (const axis of [0, 1, -1, 2]) {
      const { value } = run('expand_dims', [x], { axis });
      expectMatches(value, tf.expandDims(toTf(x.value), axis));
    }
    expect(formatShape(run('expand_dims', [x], { axis: -1 }).type.shape)).toBe('[N,4,1]');
    expect(inferError('expand_dims', [f32('N', 4)], { axis: 3 })).toThrow(/out of range/);
  });

  it('removes listed size-1 axes like tf.squeeze', () => {
    const x = operand('f32', ['N', 1, 5, 1], 22);
    const { type, value } = run('squeeze', [x], { axes: [1, -1] });
    expect(formatShape(type.shape)).toBe('[N,5]');
    expectMatches(value, tf.squeeze(toTf(x.value), [1, 3]));
    expect(formatShape(run('squeeze', [x], { axes: [] }).type.shape)).toBe('[N,1,5,1]');
    expect(inferError('squeeze', [f32('N', 1, 5)], { axes: [2] })).toThrow(/its size is 5, not 1/);
    expect(inferError('squeeze', [f32('N', 1, 5)], { axes: [0] })).toThrow(/its size is N, not 1/);
    expect(inferError('squeeze', [f32('N', 1, 5)], { axes: [1, -2] })).toThrow(/twice/);
  });
});

describe('reverse', () => {
  it('reverses listed axes like tf.reverse', () => {
    const x = operand('f32', ['N', 4, 3, 2], 23);
    const { value } = run('reverse', [x], { axes: [1, 3] });
    expectMatches(value, tf.reverse(toTf(x.value), [1, 3]));
    expectMatches(run('reverse', [x], { axes: [0] }).value, tf.reverse(toTf(x.value), [0]));
    expectMatches(run('reverse', [x], { axes: [] }).value, toTf(x.value));
  });
});

describe('broadcast_to', () => {
  it('broadcasts like tf.broadcastTo, with N in the target', () => {
    const x = operand('f32', [4, 1], 24);
    const { type, value } = run('broadcast_to', [x], { shape: ['N', 4, 3] });
    expect(formatShape(type.shape)).toBe('[N,4,3]');
    expectMatches(value, tf.broadcastTo(toTf(x.value), [BATCH, 4, 3]));
    const y = operand('f32', ['N', 1, 2], 25);
    expectMatches(run('broadcast_to', [y], { shape: ['N', 5, 2] }).value, tf.broadcastTo(toTf(y.value), [BATCH, 5, 2]));
  });

  it('rejects shapes that do not broadcast', () => {
    expect(inferError('broadcast_to', [f32(4, 2)], { shape: ['N', 4, 3] })).toThrow(/axis 1 has size 2/);
    expect(inferError('broadcast_to', [f32('N', 2)], { shape: [3, 2] })).toThrow(/axis 0 has size N/);
    expect(inferError('broadcast_to', [f32(2)], { shape: [-1, 2] })).toThrow(/needs sizes or N/);
  });
});

describe('fill', () => {
  it('fills a shape with N resolved to the batch, like tf.fill', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', f32('N', 2));
    const filled = b.op('fill', [], { shape: ['N', 3], value: 2.5 });
    const ints = b.op('fill', [], { shape: [2, 2], value: -4, dtype: 'i32' });
    b.output('x', x);
    b.output('f', filled);
    b.output('i', ints);
    verifyGraph(b.graph);
    expect(formatShape(filled.type.shape)).toBe('[N,3]');
    const [, f, i] = interpret(b.graph, [randomTensor([BATCH, 2], 26)]);
    expectMatches(f, tf.fill([BATCH, 3], 2.5));
    expectMatches(i, tf.fill([2, 2], -4, 'int32'));
    expect(i.dtype).toBe('i32');
  });

  it('rejects -1 and a fractional i32 value', () => {
    expect(inferError('fill', [], { shape: [-1, 2] })).toThrow(/sizes or N/);
    expect(inferError('fill', [], { shape: [2], value: 0.5, dtype: 'i32' })).toThrow(/not an integer/);
  });
});
