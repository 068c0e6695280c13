/**
 * The wasm data-movement kernels (transpose, slice, reverse, tile,
 * broadcast_to, concat, pad, fill, gather) against the reference interpreter
 * at batch 1 and 3, on odd sizes, f32 / i32 / bool values.
 */
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32, type Tensor } from '../../../compiler/ir/tensor.js';
import { resolveShape, elementCount } from '../../../compiler/ir/types.js';
import { compileWasm } from '../../../targets/wasm/index.js';
import { checkAgainstInterpreter, randomValues } from './check.js';
import { loadArtifact } from './run_wasm.js';

function single(op: string, attrs: string, inType: string, outType: string): string {
  return `graph @g(%x: ${inType}) -> (y: ${outType}) {
  %1 = ${op}(%x) ${attrs} : ${outType}
  return %1
}`;
}

describe('wasm box copies', () => {
  it.each([
    ['transpose', '{perm=[0,2,1]}', 'f32[N,3,5]', 'f32[N,5,3]'],
    ['transpose', '{perm=[0,3,1,2]}', 'f32[N,2,3,7]', 'f32[N,7,2,3]'],
    ['transpose', '{perm=[1,0]}', 'f32[5,3]', 'f32[3,5]'],
    ['slice', '{begin=[0,1,2], end=[0,-1,0]}', 'f32[N,5,7]', 'f32[N,3,5]'],
    ['slice', '{begin=[0,0,3], end=[0,4,4]}', 'f32[N,4,6]', 'f32[N,4,1]'],
    ['reverse', '{axes=[1]}', 'f32[N,5,3]', 'f32[N,5,3]'],
    ['reverse', '{axes=[-1,1]}', 'f32[N,2,7]', 'f32[N,2,7]'],
    ['tile', '{reps=[1,3]}', 'f32[N,5]', 'f32[N,15]'],
    ['tile', '{reps=[1,2,3]}', 'f32[N,3,5]', 'f32[N,6,15]'],
    ['broadcast_to', '{shape=[N,4,3]}', 'f32[4,1]', 'f32[N,4,3]'],
    ['broadcast_to', '{shape=[N,3,5]}', 'f32[N,1,5]', 'f32[N,3,5]'],
    ['pad', '{pads=[[0,0],[1,2],[3,0]]}', 'f32[N,3,5]', 'f32[N,6,8]'],
    ['pad', '{pads=[[0,0],[2,1]], value=-1.5}', 'f32[N,7]', 'f32[N,10]'],
  ])('%s %s %s', async (op, attrs, inType, outType) => {
    expect(await checkAgainstInterpreter(parseGraph(single(op, attrs, inType, outType)))).toEqual([]);
  });

  it.each([
    ['[N,3]', '[N,5]', 1],
    ['[N,2,3]', '[N,4,3]', 1],
    ['[N,3,2]', '[N,3,5]', -1],
    ['[2,3]', '[1,3]', 0],
  ])('concat(a, b, a) %s %s axis %s', async (a, b, axis) => {
    const out = concatOut(a, b, axis);
    const g = parseGraph(`graph @g(%a: f32${a}, %b: f32${b}) -> (y: ${out}) {
  %1 = concat(%a, %b, %a) {axis=${axis}} : ${out}
  return %1
}`);
    expect(await checkAgainstInterpreter(g)).toEqual([]);
  });
});

/** The type of concat(a, b, a) along `axis`. */
function concatOut(a: string, b: string, axis: number): string {
  const dims = (s: string): string[] => s.slice(1, -1).split(',');
  const [da, db] = [dims(a), dims(b)];
  const k = axis < 0 ? da.length + axis : axis;
  return `f32[${da.map((d, i) => (i === k ? String(2 * Number(d) + Number(db[i])) : d)).join(',')}]`;
}

/** Runs a graph whose inputs are given, comparing to the interpreter with exact equality for integer outputs. */
async function checkWith(src: string, inputs: (batch: number) => Tensor[]): Promise<void> {
  expect(await checkAgainstInterpreter(parseGraph(src), { inputs })).toEqual([]);
}

const i32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'i32', shape, data: Int32Array.from(data) });

describe('wasm fill, i32 and bool moves', () => {
  it('fill f32 and i32 with the batch', async () => {
    await checkWith(
      `graph @g(%x: f32[N,3]) -> (a: f32[N,3], b: i32[N,5], c: f32[N,2]) {
  %1 = fill() {shape=[N,3], value=0, dtype="f32"} : f32[N,3]
  %2 = add(%1, %x) : f32[N,3]
  %3 = fill() {shape=[N,5], value=-7, dtype="i32"} : i32[N,5]
  %4 = fill() {shape=[N,2], value=2.5, dtype="f32"} : f32[N,2]
  return %2, %3, %4
}`,
      (n) => [f32([n, 3], randomValues(n * 3, n))],
    );
  });

  it('transpose and pad of i32, slice of bool through casts', async () => {
    await checkWith(
      `graph @g(%x: f32[N,3,5]) -> (a: i32[N,5,3], b: f32[N,3,3]) {
  %1 = cast(%x) {to="i32"} : i32[N,3,5]
  %2 = transpose(%1) {perm=[0,2,1]} : i32[N,5,3]
  %3 = cast(%x) {to="bool"} : bool[N,3,5]
  %4 = slice(%3) {begin=[0,0,1], end=[0,0,4]} : bool[N,3,3]
  %5 = pad(%4) {pads=[[0,0],[0,0],[0,0]], value=1} : bool[N,3,3]
  %6 = cast(%5) {to="f32"} : f32[N,3,3]
  return %2, %6
}`,
      (n) => [f32([n, 3, 5], randomValues(n * 15, n, 4).map((v, i) => (i % 4 === 0 ? 0 : v)))],
    );
  });
});

describe('wasm gather', () => {
  it('embedding lookup: cast f32 -> i32, gather rows of a constant table', async () => {
    const src = `graph @g(%ids: f32[N,5], %table: f32[7,3]) -> (y: f32[N,5,3]) {
  %1 = cast(%ids) {to="i32"} : i32[N,5]
  %2 = gather(%table, %1) {axis=0} : f32[N,5,3]
  return %2
}`;
    await checkWith(src, (n) => [f32([n, 5], randomValues(n * 5, n).map((v) => Math.floor((v + 1) * 3.5))), f32([7, 3], randomValues(21, 3))]);
  });

  it('gather along an inner axis', async () => {
    const src = `graph @g(%x: f32[N,6,3], %ids: f32[4]) -> (y: f32[N,4,3]) {
  %1 = cast(%ids) {to="i32"} : i32[4]
  %2 = gather(%x, %1) {axis=1} : f32[N,4,3]
  return %2
}`;
    await checkWith(src, (n) => [f32([n, 6, 3], randomValues(n * 18, n)), f32([4], [5, 0, 2, 5])]);
  });

  it('an index out of range gives a row of zeros (docs/OPS.md)', async () => {
    const g = parseGraph(`graph @g(%ids: f32[N,2], %table: f32[4,3]) -> (y: f32[N,2,3]) {
  %1 = cast(%ids) {to="i32"} : i32[N,2]
  %2 = gather(%table, %1) {axis=0} : f32[N,2,3]
  return %2
}`);
    const model = await loadArtifact(compileWasm(g));
    const [y] = model.run([f32([1, 2], [0, 4]), f32([4, 3], Float32Array.from({ length: 12 }, (_, i) => i + 1))]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 0, 0, 0]);
  });
});

describe('wasm i32 elementwise', () => {
  it.each(['add', 'sub', 'mul', 'maximum', 'minimum'])('%s on i32', async (op) => {
    await checkWith(
      `graph @g(%a: f32[N,7], %b: f32[7]) -> (y: f32[N,7]) {
  %1 = cast(%a) {to="i32"} : i32[N,7]
  %2 = cast(%b) {to="i32"} : i32[7]
  %3 = ${op}(%1, %2) : i32[N,7]
  %4 = cast(%3) {to="f32"} : f32[N,7]
  return %4
}`,
      (n) => [f32([n, 7], randomValues(n * 7, n, 50)), f32([7], randomValues(7, 2, 50))],
    );
  });

  it.each(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'])('%s on i32 feeding select', async (op) => {
    await checkWith(
      `graph @g(%a: f32[N,6], %b: f32[6]) -> (y: i32[N,6]) {
  %1 = cast(%a) {to="i32"} : i32[N,6]
  %2 = cast(%b) {to="i32"} : i32[6]
  %3 = ${op}(%1, %2) : bool[N,6]
  %4 = select(%3, %1, %2) : i32[N,6]
  %5 = neg(%4) : i32[N,6]
  return %5
}`,
      (n) => [f32([n, 6], randomValues(n * 6, n, 3)), f32([6], randomValues(6, 4, 3))],
    );
  });

  it('cast between f32, i32 and bool', async () => {
    await checkWith(
      `graph @g(%a: f32[N,9]) -> (i: i32[N,9], b: f32[N,9], c: i32[N,9]) {
  %1 = cast(%a) {to="i32"} : i32[N,9]
  %2 = cast(%1) {to="bool"} : bool[N,9]
  %3 = cast(%2) {to="f32"} : f32[N,9]
  %4 = cast(%2) {to="i32"} : i32[N,9]
  return %1, %3, %4
}`,
      (n) => [f32([n, 9], randomValues(n * 9, n, 3))],
    );
  });
});

describe('the i32 model interface', () => {
  it('an i32 input is written and read as i32', async () => {
    const g = parseGraph(`graph @g(%ids: i32[N,4], %table: f32[5,2]) -> (y: f32[N,4,2]) {
  %1 = gather(%table, %ids) {axis=0} : f32[N,4,2]
  return %1
}`);
    const shape = resolveShape(g.inputs[0].type.shape, 3);
    const ids = i32(shape, Array.from({ length: elementCount(shape) }, (_, i) => (i * 3) % 5));
    await checkWith(
      `graph @g(%ids: i32[N,4], %table: f32[5,2]) -> (y: f32[N,4,2]) {
  %1 = gather(%table, %ids) {axis=0} : f32[N,4,2]
  return %1
}`,
      (n) => [i32([n, 4], Array.from(ids.data).slice(0, n * 4)), f32([5, 2], randomValues(10, 1))],
    );
  });
});
