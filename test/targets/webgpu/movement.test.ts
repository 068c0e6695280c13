/**
 * The WebGPU data-movement kernels (transpose, slice, reverse, tile,
 * broadcast_to, pad, fill, concat, gather, resize_nearest, resize_bilinear)
 * against the reference interpreter at batch 1 and 3: odd sizes, the batch N
 * on a non-leading axis after a transpose, f32, i32 and bool elements.
 */
import { expect, it } from 'vitest';
import { interpret } from '../../../compiler/interpreter/interpreter.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32, type Tensor } from '../../../compiler/ir/tensor.js';
import { webgpuSupports } from '../../../targets/webgpu/index.js';
import { checkOnGpu, describeGpu, loadOnGpu, randomValues } from './check.js';

/** One op on input %x; when only the result has N, an input %n carries the batch size (and is passed through). */
function single(op: string, attrs: string, inType: string, outType: string): string {
  const batchOnlyOut = !inType.includes('N') && outType.includes('N');
  return `graph @g(%x: ${inType}${batchOnlyOut ? ', %n: f32[N]' : ''}) -> (y: ${outType}${batchOnlyOut ? ', n: f32[N]' : ''}) {
  %1 = ${op}(%x) ${attrs} : ${outType}
  return %1${batchOnlyOut ? ', %n' : ''}
}`;
}

const i32 = (shape: number[], data: ArrayLike<number>): Tensor => ({ dtype: 'i32', shape, data: Int32Array.from(data) });
const ints = (count: number, seed: number, range: number): number[] => Array.from(randomValues(count, seed), (v) => Math.floor((v + 1) * 0.5 * range));

describeGpu('webgpu single-operand moves (f32)', () => {
  it.each([
    ['transpose', '{perm=[0,2,1]}', 'f32[N,3,5]', 'f32[N,5,3]'],
    ['transpose', '{perm=[0,3,1,2]}', 'f32[N,2,3,7]', 'f32[N,7,2,3]'],
    ['transpose', '{perm=[1,0]}', 'f32[5,3]', 'f32[3,5]'],
    ['transpose', '{perm=[1,0,2]}', 'f32[N,3,5]', 'f32[3,N,5]'],
    ['transpose', '{perm=[2,1,0]}', 'f32[N,3,5]', 'f32[5,3,N]'],
    ['slice', '{begin=[0,1,2], end=[0,-1,0]}', 'f32[N,5,7]', 'f32[N,3,5]'],
    ['slice', '{begin=[0,0,3], end=[0,4,4]}', 'f32[N,4,6]', 'f32[N,4,1]'],
    ['slice', '{begin=[1,0,2], end=[3,0,7]}', 'f32[3,N,9]', 'f32[2,N,5]'],
    ['reverse', '{axes=[1]}', 'f32[N,5,3]', 'f32[N,5,3]'],
    ['reverse', '{axes=[-1,1]}', 'f32[N,2,7]', 'f32[N,2,7]'],
    ['reverse', '{axes=[0,2]}', 'f32[N,3,5]', 'f32[N,3,5]'],
    ['tile', '{reps=[1,3]}', 'f32[N,5]', 'f32[N,15]'],
    ['tile', '{reps=[1,2,3]}', 'f32[N,3,5]', 'f32[N,6,15]'],
    ['tile', '{reps=[2,1,3]}', 'f32[3,N,5]', 'f32[6,N,15]'],
    ['broadcast_to', '{shape=[N,4,3]}', 'f32[4,1]', 'f32[N,4,3]'],
    ['broadcast_to', '{shape=[N,3,5]}', 'f32[N,1,5]', 'f32[N,3,5]'],
    ['broadcast_to', '{shape=[3,N,5]}', 'f32[5]', 'f32[3,N,5]'],
    ['broadcast_to', '{shape=[2,3,N]}', 'f32[3,1]', 'f32[2,3,N]'],
    ['pad', '{pads=[[0,0],[1,2],[3,0]]}', 'f32[N,3,5]', 'f32[N,6,8]'],
    ['pad', '{pads=[[0,0],[2,1]], value=-1.5}', 'f32[N,7]', 'f32[N,10]'],
    ['pad', '{pads=[[1,1],[0,0],[0,2]], value=3}', 'f32[3,N,5]', 'f32[5,N,7]'],
  ])('%s %s %s -> %s', async (op, attrs, inType, outType) => {
    expect(await checkOnGpu(parseGraph(single(op, attrs, inType, outType)))).toEqual([]);
  });
});

describeGpu('webgpu moves with N off the leading axis', () => {
  it('slice, reverse, tile, pad and concat after a transpose to [3,N,5]', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,3,5]) -> (a: f32[3,N,2], b: f32[3,N,5], c: f32[3,N,10], d: f32[4,N,7], e: f32[3,N,12]) {
  %1 = transpose(%x) {perm=[1,0,2]} : f32[3,N,5]
  %2 = slice(%1) {begin=[0,0,1], end=[0,0,3]} : f32[3,N,2]
  %3 = reverse(%1) {axes=[1,2]} : f32[3,N,5]
  %4 = tile(%1) {reps=[1,1,2]} : f32[3,N,10]
  %5 = pad(%1) {pads=[[1,0],[0,0],[2,0]], value=0.25} : f32[4,N,7]
  %6 = concat(%2, %1, %3) {axis=2} : f32[3,N,12]
  return %2, %3, %4, %5, %6
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('concat along the batch axis of one operand, and fill shaped by N', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,3,5]) -> (a: f32[3,N,5], b: f32[2,N,3], c: i32[N,3]) {
  %1 = transpose(%x) {perm=[1,0,2]} : f32[3,N,5]
  %2 = concat(%1) {axis=1} : f32[3,N,5]
  %3 = fill() {shape=[2,N,3], value=-2.5, dtype="f32"} : f32[2,N,3]
  %4 = fill() {shape=[N,3], value=-7, dtype="i32"} : i32[N,3]
  return %2, %3, %4
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

/** concat(a, b, a) along `axis`, with its result type. */
function concatGraph(a: string, b: string, axis: number): string {
  const dims = (s: string): string[] => s.slice(1, -1).split(',');
  const [da, db] = [dims(a), dims(b)];
  const k = axis < 0 ? da.length + axis : axis;
  const out = `f32[${da.map((d, i) => (i === k ? String(2 * Number(d) + Number(db[i])) : d)).join(',')}]`;
  return `graph @g(%a: f32${a}, %b: f32${b}) -> (y: ${out}) {
  %1 = concat(%a, %b, %a) {axis=${axis}} : ${out}
  return %1
}`;
}

describeGpu('webgpu concat', () => {
  it.each([
    ['[N,3]', '[N,5]', 1],
    ['[N,2,3]', '[N,4,3]', 1],
    ['[N,3,2]', '[N,3,5]', -1],
    ['[2,3]', '[1,3]', 0],
    ['[3,N,1]', '[3,N,2]', 2],
    ['[1,N,3]', '[2,N,3]', 0],
  ])('concat(a, b, a) %s %s axis %s', async (a, b, axis) => {
    expect(await checkOnGpu(parseGraph(concatGraph(a, b, axis)))).toEqual([]);
  });
});

describeGpu('webgpu i32 moves', () => {
  it('transpose, slice, pad, tile, concat and broadcast of an i32 input', async () => {
    const g = parseGraph(`graph @g(%x: i32[N,3,5]) -> (a: i32[5,N,3], b: i32[N,2,4], c: i32[N,4,7], d: i32[N,3,10], e: i32[N,6,5], f: i32[2,N,3,5]) {
  %1 = transpose(%x) {perm=[2,0,1]} : i32[5,N,3]
  %2 = slice(%x) {begin=[0,1,1], end=[0,0,0]} : i32[N,2,4]
  %3 = pad(%x) {pads=[[0,0],[1,0],[1,1]], value=-9} : i32[N,4,7]
  %4 = tile(%x) {reps=[1,1,2]} : i32[N,3,10]
  %5 = concat(%x, %x) {axis=1} : i32[N,6,5]
  %6 = broadcast_to(%x) {shape=[2,N,3,5]} : i32[2,N,3,5]
  return %1, %2, %3, %4, %5, %6
}`);
    expect(await checkOnGpu(g, { inputs: (n) => [i32([n, 3, 5], ints(n * 15, n, 2000).map((v) => v - 1000))] })).toEqual([]);
  });
});

describeGpu('webgpu gather', () => {
  it('embedding lookup: rows of a constant table at i32 ids', async () => {
    const g = parseGraph(`graph @g(%ids: i32[N,5]) -> (y: f32[N,5,3]) {
  %0 = const() {ref="table", dtype="f32", shape=[7,3]} : f32[7,3]
  %1 = gather(%0, %ids) {axis=0} : f32[N,5,3]
  return %1
}
weights {
  "table": f32[7,3] = [${Array.from(randomValues(21, 5)).join(',')}]
}`);
    expect(await checkOnGpu(g, { inputs: (n) => [i32([n, 5], ints(n * 5, n, 7))] })).toEqual([]);
  });

  it('along an inner axis, with 2-d indices', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,6,3], %ids: i32[2,3]) -> (y: f32[N,2,3,3]) {
  %1 = gather(%x, %ids) {axis=1} : f32[N,2,3,3]
  return %1
}`);
    const inputs = (n: number): Tensor[] => [f32([n, 6, 3], randomValues(n * 18, n)), i32([2, 3], [5, 0, 2, 5, 1, 3])];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it('along the last axis, and along the batch axis', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,4,5], %ids: i32[3], %rows: i32[2]) -> (y: f32[N,4,3], z: f32[2,4,5]) {
  %1 = gather(%x, %ids) {axis=2} : f32[N,4,3]
  %2 = gather(%x, %rows) {axis=0} : f32[2,4,5]
  return %1, %2
}`);
    const inputs = (n: number): Tensor[] => [f32([n, 4, 5], randomValues(n * 20, n)), i32([3], [4, 4, 0]), i32([2], [n - 1, 0])];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it('an index out of range gives zeros (as a computed index does in the reference), never bytes from elsewhere', async () => {
    const src = (ids: string): string => `graph @g(%table: f32[4,3], %ids: i32[${ids}]) -> (y: f32[${ids},3]) {
  %1 = gather(%table, %ids) {axis=0} : f32[${ids},3]
  return %1
}`;
    const table = f32([4, 3], randomValues(12, 9));
    const model = await loadOnGpu(parseGraph(src('4')));
    try {
      const [got] = await model.run([table, i32([4], [1, 4, -1, 3])], 1);
      const [valid] = interpret(parseGraph(src('2')), [table, i32([2], [1, 3])]);
      const want = [...valid.data.subarray(0, 3), 0, 0, 0, 0, 0, 0, ...valid.data.subarray(3, 6)];
      expect(Array.from(got.data)).toEqual(want);
    } finally {
      model.dispose();
    }
  });
});

describeGpu('webgpu resize', () => {
  const modes = [
    ['align_corners=false, half_pixel_centers=false'],
    ['align_corners=true, half_pixel_centers=false'],
    ['align_corners=false, half_pixel_centers=true'],
  ];
  for (const op of ['resize_nearest', 'resize_bilinear']) {
    it.each(modes)(`${op} up, down and to 1x1 with %s`, async (mode) => {
      const g = parseGraph(`graph @g(%x: f32[N,4,5,3], %z: f32[N,5,7,2]) -> (up: f32[N,7,9,3], down: f32[N,3,4,2], one: f32[N,1,1,3]) {
  %1 = ${op}(%x) {size=[7,9], ${mode}} : f32[N,7,9,3]
  %2 = ${op}(%z) {size=[3,4], ${mode}} : f32[N,3,4,2]
  %3 = ${op}(%x) {size=[1,1], ${mode}} : f32[N,1,1,3]
  return %1, %2, %3
}`);
      expect(await checkOnGpu(g)).toEqual([]);
    });
  }
});

describeGpu('webgpu bool moves', () => {
  // bool cannot be a model input or output: it is made by a cast and read back through one.
  const g = parseGraph(`graph @g(%x: f32[N,3,5], %ids: i32[4]) -> (a: f32[5,N,3], b: f32[N,3,3], c: f32[N,4,8], d: f32[N,3,13], e: f32[N,3,10], f: f32[N,3,5], g: f32[2,N,3,5], h: f32[N,3,4], i: f32[N,2,3]) {
  %1 = cast(%x) {to="bool"} : bool[N,3,5]
  %2 = transpose(%1) {perm=[2,0,1]} : bool[5,N,3]
  %3 = slice(%1) {begin=[0,0,1], end=[0,0,4]} : bool[N,3,3]
  %4 = pad(%1) {pads=[[0,0],[1,0],[2,1]], value=1} : bool[N,4,8]
  %5 = concat(%3, %1, %3, %1) {axis=2} : bool[N,3,16]
  %6 = slice(%5) {begin=[0,0,3], end=[0,0,0]} : bool[N,3,13]
  %7 = tile(%1) {reps=[1,1,2]} : bool[N,3,10]
  %8 = reverse(%1) {axes=[2]} : bool[N,3,5]
  %9 = broadcast_to(%1) {shape=[2,N,3,5]} : bool[2,N,3,5]
  %10 = gather(%1, %ids) {axis=2} : bool[N,3,4]
  %11 = fill() {shape=[N,2,3], value=1, dtype="bool"} : bool[N,2,3]
  %20 = cast(%2) {to="f32"} : f32[5,N,3]
  %21 = cast(%3) {to="f32"} : f32[N,3,3]
  %22 = cast(%4) {to="f32"} : f32[N,4,8]
  %23 = cast(%6) {to="f32"} : f32[N,3,13]
  %24 = cast(%7) {to="f32"} : f32[N,3,10]
  %25 = cast(%8) {to="f32"} : f32[N,3,5]
  %26 = cast(%9) {to="f32"} : f32[2,N,3,5]
  %27 = cast(%10) {to="f32"} : f32[N,3,4]
  %28 = cast(%11) {to="f32"} : f32[N,2,3]
  return %20, %21, %22, %23, %24, %25, %26, %27, %28
}`);
  const missing = webgpuSupports(g);
  it.skipIf(missing.length > 0)(`transpose, slice, pad, concat, tile, reverse, broadcast_to, gather and fill of bool${missing.length > 0 ? ` (skipped: needs ${missing.join(', ')})` : ''}`, async () => {
    const inputs = (n: number): Tensor[] => [f32([n, 3, 5], randomValues(n * 15, n).map((v) => (v > 0 ? 1 : 0))), i32([4], [4, 0, 2, 1])];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });
});
