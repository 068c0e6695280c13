import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  interpret,
  parseGraph,
  printGraph,
  verifyGraph,
  type Graph,
  type Shape,
  type Tensor,
  type TensorType,
} from '../../compiler/index.js';
import { compareTensors } from '../helpers/tolerance.js';
import { randomTensor } from './random.js';

const BATCH = 2;
const STEPS = 5;
const FEATURES = 3;
const UNITS = 4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const f32 = (...shape: Shape): TensorType => ({ dtype: 'f32', shape });

function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Array.from(t.data), t.shape, 'float32');
}

function fromTf(t: tf.Tensor): Tensor {
  return { dtype: 'f32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
}

function expectMatches(got: Tensor, expected: tf.Tensor): void {
  expect(compareTensors(got, fromTf(expected))).toBeNull();
}

/** A SimpleRNN step: h' = tanh(x_t W + h U + b); returns (h', h'). */
function rnnStep(parent: Graph): Graph {
  const b = new GraphBuilder(parent.childGraph('step'));
  const h = b.input('h', f32('N', UNITS));
  const xt = b.input('xt', f32('N', FEATURES));
  const w = b.input('w', f32(FEATURES, UNITS));
  const u = b.input('u', f32(UNITS, UNITS));
  const bias = b.input('bias', f32(UNITS));
  const pre = b.op('add', [b.op('add', [b.op('matmul', [xt, w]), b.op('matmul', [h, u])]), bias]);
  const next = b.op('tanh', [pre]);
  b.output('h', next);
  b.output('y', next);
  return b.graph;
}

/** A graph running a SimpleRNN over x: outputs (final h, all h). */
function rnnGraph(reverse: boolean): Graph {
  const b = new GraphBuilder('rnn');
  const x = b.input('x', f32('N', STEPS, FEATURES));
  const h0 = b.input('h0', f32('N', UNITS));
  const w = b.constant('rnn/kernel', randomTensor([FEATURES, UNITS], 31, { min: -1, max: 1 }));
  const u = b.constant('rnn/recurrent_kernel', randomTensor([UNITS, UNITS], 32, { min: -1, max: 1 }));
  const bias = b.constant('rnn/bias', randomTensor([UNITS], 33, { min: -1, max: 1 }));
  const [last, all] = b.apply('scan', [h0, x, w, u, bias], { num_states: 1, num_sequences: 1, reverse }, rnnStep(b.graph));
  b.output('last', last);
  b.output('all', all);
  return b.graph;
}

/** The same RNN written step by step with tfjs ops. */
function rnnOracle(g: Graph, x: Tensor, h0: Tensor, reverse: boolean): { last: tf.Tensor; all: tf.Tensor } {
  const w = toTf(g.weights.get('rnn/kernel')!);
  const u = toTf(g.weights.get('rnn/recurrent_kernel')!);
  const bias = toTf(g.weights.get('rnn/bias')!);
  const xs = toTf(x);
  let h = toTf(h0);
  const outs: tf.Tensor[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t = reverse ? STEPS - 1 - i : i;
    const xt = tf.squeeze(tf.slice(xs, [0, t, 0], [BATCH, 1, FEATURES]), [1]);
    h = tf.tanh(tf.add(tf.add(tf.matMul(xt, w), tf.matMul(h, u)), bias));
    outs.push(h);
  }
  return { last: h, all: tf.stack(outs, 1) };
}

describe('scan', () => {
  for (const reverse of [false, true]) {
    it(`runs a SimpleRNN like a step-by-step tfjs loop (reverse=${reverse})`, () => {
      const g = rnnGraph(reverse);
      verifyGraph(g);
      expect(g.nodes.filter((n) => n.op === 'scan')).toHaveLength(1);
      const text = printGraph(g, { weights: true });
      expect(text).toContain(`{num_states=1, num_sequences=1, reverse=${reverse}} : f32[N,${UNITS}], f32[N,${STEPS},${UNITS}] {`);
      const back = parseGraph(text);
      verifyGraph(back);
      expect(printGraph(back, { weights: true })).toBe(text);

      const x = randomTensor([BATCH, STEPS, FEATURES], 34);
      const h0 = randomTensor([BATCH, UNITS], 35, { min: -1, max: 1 });
      const [last, all] = interpret(back, [x, h0]);
      const expected = rnnOracle(g, x, h0, reverse);
      expectMatches(last, expected.last);
      expectMatches(all, expected.all);
    });
  }

  it('carries several states over several sequences (running sums vs tf.cumsum)', () => {
    for (const reverse of [false, true]) {
      const b = new GraphBuilder('sums');
      const a = b.input('a', f32('N', STEPS, 2));
      const c = b.input('c', f32('N', STEPS, 3));
      const a0 = b.input('a0', f32('N', 2));
      const c0 = b.input('c0', f32('N', 3));
      const body = new GraphBuilder(b.graph.childGraph('step'));
      const sa = body.input('sa', f32('N', 2));
      const sc = body.input('sc', f32('N', 3));
      const at = body.input('at', f32('N', 2));
      const ct = body.input('ct', f32('N', 3));
      const na = body.op('add', [sa, at]);
      const nc = body.op('add', [sc, ct]);
      body.output('sa', na);
      body.output('sc', nc);
      body.output('ya', na);
      body.output('yc', nc);
      const outs = b.apply('scan', [a0, c0, a, c], { num_states: 2, num_sequences: 2, reverse }, body.graph);
      outs.forEach((v, i) => b.output(`o${i}`, v));
      verifyGraph(b.graph);

      const av = randomTensor([BATCH, STEPS, 2], 36);
      const cv = randomTensor([BATCH, STEPS, 3], 37);
      const zeroA = randomTensor([BATCH, 2], 38, { min: 0, max: 0 });
      const zeroC = randomTensor([BATCH, 3], 39, { min: 0, max: 0 });
      const [lastA, lastC, ya, yc] = interpret(b.graph, [av, cv, zeroA, zeroC]);
      // Processing order: forward gives the prefix sums; reverse gives suffix sums, stacked from t = T-1 down.
      const sums = (t: Tensor): tf.Tensor =>
        reverse ? tf.reverse(tf.cumsum(toTf(t), 1, false, true), [1]) : tf.cumsum(toTf(t), 1);
      expectMatches(ya, sums(av));
      expectMatches(yc, sums(cv));
      expectMatches(lastA, tf.sum(toTf(av), 1));
      expectMatches(lastC, tf.sum(toTf(cv), 1));
    }
  });

  describe('checks the body against the operands', () => {
    function scanWith(body: (g: GraphBuilder) => void, operands: TensorType[], attrs = { num_states: 1, num_sequences: 1 }): () => void {
      return () => {
        const b = new GraphBuilder('g');
        const inputs = operands.map((t, i) => b.input(`x${i}`, t));
        const step = new GraphBuilder(b.graph.childGraph('step'));
        body(step);
        b.apply('scan', inputs, attrs, step.graph);
      };
    }
    const identityStep = (state: TensorType, slice: TensorType) => (s: GraphBuilder): void => {
      const h = s.input('h', state);
      s.input('xt', slice);
      s.output('h', h);
    };

    it('accepts a well-typed body', () => {
      expect(scanWith(identityStep(f32('N', 4), f32('N', 3)), [f32('N', 4), f32('N', 5, 3)])).not.toThrow();
    });

    it('rejects a body input of the wrong type', () => {
      expect(scanWith(identityStep(f32('N', 4), f32('N', 5, 3)), [f32('N', 4), f32('N', 5, 3)])).toThrow(
        /body input 1 \(sequence 0 slice\) is f32\[N,5,3\] but scan passes f32\[N,3\]/,
      );
    });

    it('rejects a body that takes the wrong number of inputs', () => {
      expect(scanWith(identityStep(f32('N', 4), f32('N', 3)), [f32('N', 4), f32('N', 5, 3), f32(2)])).toThrow(
        /the body takes 2 input\(s\) but scan passes 3 \(1 state\(s\), 1 sequence slice\(s\), 1 invariant\(s\)\)/,
      );
    });

    it('rejects a state whose type does not round-trip', () => {
      const body = (s: GraphBuilder): void => {
        s.input('h', f32('N', 4));
        const xt = s.input('xt', f32('N', 3));
        s.output('h', xt);
      };
      expect(scanWith(body, [f32('N', 4), f32('N', 5, 3)])).toThrow(/body result 0 \(new state 0\) is f32\[N,3\] but state 0 is f32\[N,4\]/);
    });

    it('rejects sequences of different lengths and scans without a sequence', () => {
      const body = (s: GraphBuilder): void => {
        const h = s.input('h', f32('N', 4));
        s.input('a', f32('N', 3));
        s.input('b', f32('N', 3));
        s.output('h', h);
      };
      expect(scanWith(body, [f32('N', 4), f32('N', 5, 3), f32('N', 6, 3)], { num_states: 1, num_sequences: 2 })).toThrow(
        /sequence 1 has 6 time steps but sequence 0 has 5/,
      );
      expect(scanWith(body, [f32('N', 4), f32('N', 5, 3)], { num_states: 1, num_sequences: 0 })).toThrow(/at least one sequence/);
    });
  });
});
