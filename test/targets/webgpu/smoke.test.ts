/**
 * The WebGPU target's frame on its own: a view of a weight (copied into the
 * arena by the copy kernel) next to a graph input passed through as an
 * output, run on Dawn against the interpreter.
 */
import { expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { checkOnGpu, describeGpu } from './check.js';

describeGpu('webgpu target frame', () => {
  it('copies a reshaped weight and passes an input through', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,3]) -> (y: f32[N,3], w: f32[6]) {
  %0 = const() {ref="a", dtype="f32", shape=[2,3]} : f32[2,3]
  %1 = reshape(%0) {shape=[6]} : f32[6]
  return %x, %1
}
weights {
  "a": f32[2,3] = [1.5,-2,3,4,5,6]
}`);
    expect(await checkOnGpu(g, { batches: [1, 5] })).toEqual([]);
  });
});
