import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attrsOf, typedAttrs } from '../../compiler/ir/node_attrs.js';
import { OP } from '../../compiler/ir/op_types.js';
import { allOps, parseGraph } from '../../compiler/index.js';
import { OP_TYPES_PATH, renderOpTypes } from './op_types.js';

describe('typed IR surface', () => {
  it('op_types.ts is generated from the registered schemas (run `npx tsx scripts/update-op-types.ts` after changing one)', () => {
    expect(readFileSync(OP_TYPES_PATH, 'utf8')).toBe(renderOpTypes());
  });

  it('names every registered op', () => {
    expect(Object.values(OP)).toEqual(allOps().map((d) => d.name));
  });

  const g = parseGraph(
    [
      'graph @g(%x: f32[N,4,6]) -> (y: f32[N,6,4], z: f32[N,4,6]) {',
      '  %0 = transpose(%x) {perm=[0,2,1]} : f32[N,6,4]',
      '  %1 = reduce_max(%x) {axes=[2], keepdims=true} : f32[N,4,1]',
      '  %2 = pad(%1) {pads=[[0,0],[0,0],[0,5]]} : f32[N,4,6]',
      '  return %0, %2',
      '}',
      '',
    ].join('\n'),
  );

  it('reads a node\'s attributes typed by its op, defaults included', () => {
    expect(attrsOf(g.nodes[0], OP.transpose).perm).toEqual([0, 2, 1]);
    const pad = attrsOf(g.nodes[2], OP.pad);
    expect([pad.pads, pad.value]).toEqual([[[0, 0], [0, 0], [0, 5]], 0]);
    const reduce = attrsOf(g.nodes[1], OP.reduce_sum, OP.reduce_max, OP.reduce_mean);
    expect([reduce.axes, reduce.keepdims]).toEqual([[2], true]);
    expect(typedAttrs(OP.transpose, g.nodes[0].attrs).perm).toEqual([0, 2, 1]);
  });

  it('refuses a node of another op', () => {
    expect(() => attrsOf(g.nodes[0], OP.reverse)).toThrow('expected a reverse node, got transpose');
    expect(() => attrsOf(g.nodes[0], OP.reduce_sum, OP.reduce_max)).toThrow('expected a reduce_sum or reduce_max node, got transpose');
  });
});
