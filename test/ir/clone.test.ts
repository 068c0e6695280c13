import { describe, expect, it } from 'vitest';
import { parseGraph, printGraph, verifyGraph } from '../../compiler/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';

const TEXT = [
  'graph @g(%x: f32[N,5,3], %h: f32[N,4]) -> (last: f32[N,4], all: f32[N,5,4]) {',
  '  %0 = const() {ref="w", dtype="f32", shape=[3,4]} : f32[3,4]',
  '  %1, %2 = scan(%h, %x) {num_states=1, num_sequences=1, reverse=false} : f32[N,4], f32[N,5,4] {',
  '    graph @step(%s: f32[N,4], %t: f32[N,3]) -> (s: f32[N,4], y: f32[N,4]) {',
  '      %3 = tanh(%s) : f32[N,4]',
  '      return %3, %3',
  '    }',
  '  }',
  '  %4 = neg(%1) : f32[N,4]',
  '  return %4, %2',
  '}',
  'weights {',
  '  "w": f32[3,4] = [1,2,3,4,5,6,7,8,9,10,11,12]',
  '}',
  '',
].join('\n');

describe('Graph.clone', () => {
  it('prints exactly as the original, bodies and weights included', () => {
    const g = parseGraph(TEXT);
    const copy = g.clone();
    expect(printGraph(copy, { weights: true })).toBe(TEXT);
    expect(() => verifyGraph(copy)).not.toThrow();
  });

  it('is independent: editing the copy leaves the original as it was', () => {
    const g = parseGraph(TEXT);
    const copy = g.clone();
    copy.nodes.pop();
    copy.outputs[0].value = copy.nodes[1].outputs[0];
    copy.inputs[0].type.shape[0] = 2;
    copy.nodes[1].body!.nodes[0].op = 'sigmoid';
    copy.weights.delete('w');
    expect(printGraph(g, { weights: true })).toBe(TEXT);
    expect(copy.nodes[1].body!.inputs[0]).not.toBe(g.nodes[1].body!.inputs[0]);
  });

  it('numbers new values after the original\'s, so a builder on the copy adds distinct values', () => {
    const g = parseGraph(TEXT);
    const copy = g.clone();
    const ids = [copy.inputs, ...copy.nodes.map((n) => n.outputs), ...copy.nodes[1].body!.nodes.map((n) => n.outputs)].flat().map((x) => x.id);
    const v = new GraphBuilder(copy).op('neg', [copy.outputs[0].value]);
    expect(ids).not.toContain(v.id);
    expect(copy.weights.get('w')).toBe(g.weights.get('w'));
  });
});
