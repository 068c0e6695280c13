import { describe, expect, it } from 'vitest';
import {
  f32,
  Graph,
  GraphBuilder,
  parseGraph,
  printGraph,
  registerOp,
  tensor,
  verifyGraph,
  type Shape,
  type TensorType,
} from '../../compiler/index.js';

const t32 = (...shape: Shape): TensorType => ({ dtype: 'f32', shape });

// A test-only op whose schema has one attribute of every kind, so the text
// form is exercised on each of them (no real op takes `floats`).
registerOp({
  name: 'test.every_attr',
  doc: 'Identity with one attribute of every kind (tests only).',
  attrs: {
    i: { kind: 'int' },
    f: { kind: 'float' },
    b: { kind: 'bool' },
    s: { kind: 'string' },
    is: { kind: 'ints' },
    fs: { kind: 'floats' },
    d: { kind: 'dims' },
    ss: { kind: 'intss' },
    t: { kind: 'dtype' },
  },
  arity: 1,
  infer: ([x]) => [x],
  reference: ([x]) => [x],
});

function expectRoundTrip(g: Graph, weights = true): string {
  verifyGraph(g);
  const text = printGraph(g, { weights });
  const back = parseGraph(text);
  verifyGraph(back);
  expect(printGraph(back, { weights })).toBe(text);
  expect(printGraph(g, { weights })).toBe(text);
  return text;
}

describe('IR text round trip (print -> parse -> print)', () => {
  it('keeps input and output names, quoting those that need it', () => {
    const b = new GraphBuilder('names-and-quotes');
    const a = b.input('dense/input', t32('N', 3));
    const c = b.input('input-1', t32('N', 3));
    const d = b.input('1st', t32('N', 3));
    const e = b.input('plain_name.0', t32('N', 3));
    b.graph.inputs.push(b.graph.newValue(t32(3)));
    b.output('dense_1/BiasAdd:0', b.op('add', [a, c]));
    b.output('out-2', b.op('add', [d, e]));
    const text = expectRoundTrip(b.graph);
    expect(text.split('\n')[0]).toBe(
      'graph @"names-and-quotes"(%"dense/input": f32[N,3], %"input-1": f32[N,3], %"1st": f32[N,3], ' +
        '%plain_name.0: f32[N,3], %0: f32[3]) -> ("dense_1/BiasAdd:0": f32[N,3], "out-2": f32[N,3]) {',
    );
  });

  it('gives a fresh number to a repeated name instead of printing it twice', () => {
    const b = new GraphBuilder('g');
    const x = b.input('a-b', t32(2));
    const y = b.input('a-b', t32(2));
    b.output('y', b.op('add', [x, y]));
    const text = expectRoundTrip(b.graph);
    expect(text).toContain('(%"a-b": f32[2], %0: f32[2])');
  });

  it('prints every attribute kind and reads it back', () => {
    const b = new GraphBuilder('attrs');
    const x = b.input('x', t32('N', 4, 5, 3));
    const flat = b.op('reshape', [x], { shape: ['N', -1] });
    const moved = b.op('transpose', [x], { perm: [0, 3, 1, 2] });
    const padded = b.op('pad', [moved], { pads: [[0, 0], [1, 2], [0, 1], [2, 0]], value: 0.1 });
    const tiny = b.op('fill', [], { shape: ['N', 60], value: 1e-7, dtype: 'f32' });
    const ints = b.op('fill', [], { shape: [2, 2], value: -3, dtype: 'i32' });
    const every = b.op('test.every_attr', [flat], {
      i: -4,
      f: -2.5,
      b: true,
      s: 'same "quoted" / text',
      is: [1, -1, 0],
      fs: [0.1, 1e-7, -2.5, 1e21, 3],
      d: ['N', -1, 7],
      ss: [[1, 2], [], [-3]],
      t: 'bool',
    });
    b.output('padded', padded);
    b.output('sum', b.op('add', [every, tiny]));
    b.output('ints', ints);
    const text = expectRoundTrip(b.graph);
    expect(text).toContain('reshape(%x) {shape=[N,-1]} : f32[N,60]');
    expect(text).toContain('{pads=[[0,0],[1,2],[0,1],[2,0]], value=0.1}');
    expect(text).toContain('fill() {shape=[N,60], value=1e-7, dtype="f32"}');
    expect(text).toContain(
      '{i=-4, f=-2.5, b=true, s="same \\"quoted\\" / text", is=[1,-1,0], fs=[0.1,1e-7,-2.5,1e+21,3], ' +
        'd=[N,-1,7], ss=[[1,2],[],[-3]], t="bool"}',
    );
  });

  it('prints multi-result nodes with a body, and weights of each dtype', () => {
    const b = new GraphBuilder('rnn');
    const x = b.input('x', t32('N', 5, 3));
    const h0 = b.input('h0', t32('N', 3));
    const kernel = b.constant('dense/kernel', f32([3], [0.1, -2, 1e-7]));
    const ids = b.constant('ids', tensor('i32', [2, 2], [0, -1, 2147483647, -2147483648]));
    const special = b.constant('special values', f32([4], [NaN, Infinity, -Infinity, -0]));
    const step = new GraphBuilder(b.graph.childGraph('step'));
    const h = step.input('h', t32('N', 3));
    const xt = step.input('xt', t32('N', 3));
    const k = step.input('k', t32(3));
    const next = step.op('add', [step.op('add', [h, xt]), k]);
    step.output('h', next);
    step.output('y', step.op('neg', [next]));
    const [last, all] = b.apply('scan', [h0, x, kernel], { num_states: 1, num_sequences: 1, reverse: true }, step.graph);
    b.output('last', last);
    b.output('all', all);
    b.output('ids', ids);
    b.output('special', special);
    const text = expectRoundTrip(b.graph);
    expect(text).toBe(
      [
        'graph @rnn(%x: f32[N,5,3], %h0: f32[N,3]) -> (last: f32[N,3], all: f32[N,5,3], ids: i32[2,2], special: f32[4]) {',
        '  %0 = const() {ref="dense/kernel", dtype="f32", shape=[3]} : f32[3]',
        '  %1 = const() {ref="ids", dtype="i32", shape=[2,2]} : i32[2,2]',
        '  %2 = const() {ref="special values", dtype="f32", shape=[4]} : f32[4]',
        '  %3, %4 = scan(%h0, %x, %0) {num_states=1, num_sequences=1, reverse=true} : f32[N,3], f32[N,5,3] {',
        '    graph @step(%h: f32[N,3], %xt: f32[N,3], %k: f32[3]) -> (h: f32[N,3], y: f32[N,3]) {',
        '      %5 = add(%h, %xt) : f32[N,3]',
        '      %6 = add(%5, %k) : f32[N,3]',
        '      %7 = neg(%6) : f32[N,3]',
        '      return %6, %7',
        '    }',
        '  }',
        '  return %3, %4, %1, %2',
        '}',
        'weights {',
        '  "dense/kernel": f32[3] = [0.10000000149011612,-2,1.0000000116860974e-7]',
        '  "ids": i32[2,2] = [0,-1,2147483647,-2147483648]',
        '  "special values": f32[4] = [nan,inf,-inf,-0]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('reads hand-written text and prints it back unchanged', () => {
    const text = [
      'graph @g(%x: f32[N,8], %ids: i32[N,2]) -> (y: f32[N,2,8], z: f32[N,4]) {',
      '  %0 = slice(%x) {begin=[0,2], end=[0,-2]} : f32[N,4]',
      '  %1 = expand_dims(%0) {axis=1} : f32[N,1,4]',
      '  %2 = concat(%1, %1) {axis=2} : f32[N,1,8]',
      '  %3 = squeeze(%2) {axes=[1]} : f32[N,8]',
      '  %4 = broadcast_to(%3) {shape=[2,N,8]} : f32[2,N,8]',
      '  %5 = transpose(%4) {perm=[1,0,2]} : f32[N,2,8]',
      '  %6 = reverse(%5) {axes=[1]} : f32[N,2,8]',
      '  %7 = tile(%0) {reps=[1,1]} : f32[N,4]',
      '  return %6, %7',
      '}',
      '',
    ].join('\n');
    const g = parseGraph(text);
    verifyGraph(g);
    expect(printGraph(g)).toBe(text);
  });
});
