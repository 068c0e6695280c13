import { describe, expect, it } from 'vitest';
import { GraphBuilder, interpret, parseGraph, printGraph, verifyGraph, f32 } from '../../compiler/index.js';

describe('IR core', () => {
  it('builds, prints, parses and runs a const graph', () => {
    const b = new GraphBuilder('g');
    const w = b.constant('w/kernel', f32([2], [1.5, -2]));
    b.output('y', w);
    verifyGraph(b.graph);
    const text = printGraph(b.graph, { weights: true });
    expect(text).toContain('const() {ref="w/kernel", dtype="f32", shape=[2]} : f32[2]');
    const back = parseGraph(text);
    verifyGraph(back);
    expect(printGraph(back, { weights: true })).toBe(text);
    expect(Array.from(interpret(back, [])[0].data)).toEqual([1.5, -2]);
  });
});
