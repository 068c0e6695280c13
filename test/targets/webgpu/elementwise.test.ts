/**
 * Each elementwise op compiled alone for the WebGPU target and run on Dawn
 * against the reference interpreter at batch 1 and 3: unary ops over wide
 * ranges and special values (NaN, infinities, signed zeros, huge and tiny
 * numbers), binary ops and select under broadcasting, i32 ops, casts both
 * ways, bool values packed four to a word, and hand-written fused kernels
 * (several results, a bool result, a cast written in place).
 */
import { expect, it } from 'vitest';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { f32, tensor, type Tensor } from '../../../compiler/ir/tensor.js';
import { checkOnGpu, describeGpu, randomValues } from './check.js';

const UNARY = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'erf', 'floor', 'ceil', 'round', 'sign', 'relu', 'relu6',
  'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'tanh', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'leaky_relu',
];

const SPECIAL = [
  0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-3, -1e-3, 1e-7, 1e-30, -1e-30, 20, -20, 88, 89, -88, -104, -110, 100,
  Infinity, -Infinity, NaN, 3.4e38, -3.4e38, 1e20, -1e20, 0.01, -0.01, 3, -3, 10, -10, 1e-5,
];

/** Batch rows of 13: wide random values, then the special values from the start. */
function unaryInputs(batch: number): Tensor[] {
  const count = batch * 13;
  const values = randomValues(count, batch, 12);
  SPECIAL.forEach((v, i) => {
    if (i < count) values[i] = v;
  });
  return [f32([batch, 13], values)];
}

/** Positive values from 1e-9 to 1e9 (the domain of log, sqrt, rsqrt). */
function positiveInputs(batch: number): Tensor[] {
  const values = randomValues(batch * 13, batch, 1).map((v) => Math.exp(v * 20));
  return [f32([batch, 13], values)];
}

/** Attributes as the printer writes them (the parser fills in no defaults). */
const DEFAULT_ATTRS: Record<string, string> = { elu: ' {alpha=1}', leaky_relu: ' {alpha=0.2}', gelu: ' {approximate=false}' };

function unaryGraph(op: string, attrs = DEFAULT_ATTRS[op] ?? ''): string {
  return `graph @g(%x: f32[N,13]) -> (y: f32[N,13]) {
  %1 = ${op}(%x)${attrs} : f32[N,13]
  return %1
}`;
}

describeGpu('webgpu unary ops', () => {
  it.each(UNARY)('%s', async (op) => {
    const g = parseGraph(unaryGraph(op));
    expect(await checkOnGpu(g, { inputs: unaryInputs })).toEqual([]);
    expect(await checkOnGpu(g, { inputs: positiveInputs })).toEqual([]);
  });

  it.each([
    ['elu', ' {alpha=0.5}'],
    ['leaky_relu', ' {alpha=0.01}'],
    ['clip', ' {min=-1.5, max=2}'],
    ['gelu', ' {approximate=true}'],
  ])('%s%s', async (op, attrs) => {
    const g = parseGraph(unaryGraph(op, attrs));
    expect(await checkOnGpu(g, { inputs: unaryInputs })).toEqual([]);
  });
});

describeGpu('webgpu binary ops with broadcasting', () => {
  const shapes: [string, string, string][] = [
    ['[N,6]', '[N,6]', '[N,6]'],
    ['[N,5,3]', '[3]', '[N,5,3]'],
    ['[N,5,3]', '[5,1]', '[N,5,3]'],
    ['[N,1,4]', '[3,1]', '[N,3,4]'],
    ['[]', '[N,9]', '[N,9]'],
    ['[N,2,3,5]', '[1,3,1]', '[N,2,3,5]'],
    ['[N,1]', '[N,10]', '[N,10]'],
    ['[N,1,1]', '[1,4,3]', '[N,4,3]'],
  ];
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum']) {
    it.each(shapes)(`${op} %s %s`, async (a, b, out) => {
      const g = parseGraph(`graph @g(%a: f32${a}, %b: f32${b}) -> (y: f32${out}) {
  %1 = ${op}(%a, %b) : f32${out}
  return %1
}`);
      expect(await checkOnGpu(g)).toEqual([]);
    });
  }

  const EDGES = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, 2.5, Infinity, -Infinity, NaN];

  it.each(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'])('%s over every pair of special values', async (op) => {
    const n = EDGES.length;
    const g = parseGraph(`graph @g(%a: f32[N,${n},1], %b: f32[${n}]) -> (y: f32[N,${n},${n}]) {
  %1 = ${op}(%a, %b) : f32[N,${n},${n}]
  return %1
}`);
    const inputs = (batch: number): Tensor[] => [
      f32([batch, n, 1], Array.from({ length: batch * n }, (_, i) => EDGES[i % n] * (1 + Math.floor(i / n)))),
      f32([n], EDGES),
    ];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it('pow over random bases and exponents', async () => {
    const g = parseGraph(`graph @g(%a: f32[N,16], %b: f32[N,16]) -> (y: f32[N,16]) {
  %1 = pow(%a, %b) : f32[N,16]
  return %1
}`);
    const inputs = (batch: number): Tensor[] => [
      f32([batch, 16], randomValues(batch * 16, 3, 4)),
      f32([batch, 16], randomValues(batch * 16, 4, 4).map((v, i) => (i % 2 === 0 ? Math.round(v) : v))),
    ];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it.each(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'])('%s feeding select', async (op) => {
    const g = parseGraph(`graph @g(%a: f32[N,6], %b: f32[6]) -> (y: f32[N,6]) {
  %r = ${op}(%a, %b) : bool[N,6]
  %s = select(%r, %a, %b) : f32[N,6]
  return %s
}`);
    // Rounded inputs make equal values common; NaN compares false (not_equal true).
    const inputs = (batch: number): Tensor[] => [
      f32([batch, 6], randomValues(batch * 6, 5).map((v, i) => (i === 2 ? NaN : Math.round(v)))),
      f32([6], randomValues(6, 9).map((v, i) => (i === 4 ? NaN : Math.round(v)))),
    ];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it('select broadcasts its condition and both branches', async () => {
    const g = parseGraph(`graph @g(%a: f32[N,1,5], %b: f32[3,1]) -> (y: f32[N,3,5]) {
  %c = less(%b, %a) : bool[N,3,5]
  %m = logical_not(%c) : bool[N,3,5]
  %s = select(%m, %a, %b) : f32[N,3,5]
  return %s
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('logical ops over bool values of odd length', async () => {
    const g = parseGraph(`graph @g(%a: f32[N,7], %b: f32[N,7], %c: f32[7]) -> (y: f32[N,7]) {
  %p = greater(%a, %b) : bool[N,7]
  %q = less(%b, %c) : bool[N,7]
  %and = logical_and(%p, %q) : bool[N,7]
  %or = logical_or(%p, %q) : bool[N,7]
  %eq = equal(%and, %or) : bool[N,7]
  %ne = not_equal(%eq, %q) : bool[N,7]
  %y = cast(%ne) {to="f32"} : f32[N,7]
  return %y
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});

const int32 = (shape: number[], values: ArrayLike<number>): Tensor => tensor('i32', shape, values);

describeGpu('webgpu i32 ops and casts', () => {
  it.each(['neg', 'abs', 'square', 'sign', 'relu'])('%s on i32', async (op) => {
    const g = parseGraph(`graph @g(%x: i32[N,9]) -> (y: i32[N,9]) {
  %1 = ${op}(%x) : i32[N,9]
  return %1
}`);
    const inputs = (batch: number): Tensor[] => [int32([batch, 9], randomValues(batch * 9, batch, 3000).map((v, i) => (i === 0 ? -2147483648 : Math.trunc(v))))];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it.each(['add', 'sub', 'mul', 'maximum', 'minimum'])('%s on i32 with broadcasting', async (op) => {
    const g = parseGraph(`graph @g(%a: i32[N,1,4], %b: i32[3,1]) -> (y: i32[N,3,4]) {
  %1 = ${op}(%a, %b) : i32[N,3,4]
  return %1
}`);
    const inputs = (batch: number): Tensor[] => [
      int32([batch, 1, 4], randomValues(batch * 4, batch, 100000).map((v, i) => (i === 1 ? 2147483647 : Math.trunc(v)))),
      int32([3, 1], [5, -70000, 3]),
    ];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it.each(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'])('%s on i32 feeding select', async (op) => {
    const g = parseGraph(`graph @g(%a: i32[N,6], %b: i32[6]) -> (y: i32[N,6]) {
  %r = ${op}(%a, %b) : bool[N,6]
  %s = select(%r, %a, %b) : i32[N,6]
  return %s
}`);
    const inputs = (batch: number): Tensor[] => [int32([batch, 6], randomValues(batch * 6, 5, 3).map(Math.round)), int32([6], [0, 1, -1, 2, -2, 3])];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it('casts f32 -> i32 (truncating, saturating, NaN to 0) and back', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,13]) -> (i: i32[N,13], f: f32[N,13]) {
  %i = cast(%x) {to="i32"} : i32[N,13]
  %f = cast(%i) {to="f32"} : f32[N,13]
  return %i, %f
}`);
    const inputs = (batch: number): Tensor[] => {
      const values = randomValues(batch * 13, batch, 1e4);
      [0.5, -0.5, 1.99, -1.99, 2147483520, -2147483648, 2147483648, 3e9, -3e9, 1e12, 1e30, NaN, Infinity, -Infinity, 16777217, -7.5].forEach((v, k) => {
        if (k < values.length) values[k] = v;
      });
      return [f32([batch, 13], values)];
    };
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });

  it('casts to bool and from bool', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,11], %k: i32[N,11]) -> (a: f32[N,11], b: i32[N,11]) {
  %p = cast(%x) {to="bool"} : bool[N,11]
  %q = cast(%k) {to="bool"} : bool[N,11]
  %a = cast(%p) {to="f32"} : f32[N,11]
  %b = cast(%q) {to="i32"} : i32[N,11]
  return %a, %b
}`);
    const inputs = (batch: number): Tensor[] => [
      f32([batch, 11], randomValues(batch * 11, batch, 2).map((v, i) => [0, -0, NaN][i % 4] ?? Math.round(v))),
      int32([batch, 11], randomValues(batch * 11, batch + 1, 2).map(Math.round)),
    ];
    expect(await checkOnGpu(g, { inputs })).toEqual([]);
  });
});

describeGpu('webgpu fused elementwise kernels', () => {
  it('computes several results, one of them bool, broadcasting a bias and a scalar', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,3,5], %b: f32[5], %s: f32[]) -> (y: f32[N,3,5], z: f32[N,3,5]) {
  %k0, %k1 = fused(%x, %b, %s) {name="add+greater+mul"} : f32[N,3,5], bool[N,3,5] {
    graph @kernel(%1: f32[N,3,5], %2: f32[5], %3: f32[]) -> (r0: f32[N,3,5], r1: bool[N,3,5]) {
      %4 = add(%1, %2) : f32[N,3,5]
      %5 = greater(%4, %3) : bool[N,3,5]
      %6 = mul(%4, %3) : f32[N,3,5]
      return %6, %5
    }
  }
  %z = select(%k1, %x, %k0) : f32[N,3,5]
  return %k0, %z
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('writes a cast in place over the operand it reads', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,10]) -> (y: i32[N,10]) {
  %1 = mul(%x, %x) : f32[N,10]
  %2 = cast(%1) {to="i32"} : i32[N,10]
  %3 = neg(%2) : i32[N,10]
  return %3
}`);
    expect(await checkOnGpu(g, { scale: 50 })).toEqual([]);
  });

  it('reads one operand twice and returns an operand unchanged', async () => {
    const g = parseGraph(`graph @g(%x: f32[N,4,3]) -> (y: f32[N,4,3], z: f32[N,4,3]) {
  %k0, %k1 = fused(%x, %x) {name="mul+tanh"} : f32[N,4,3], f32[N,4,3] {
    graph @kernel(%1: f32[N,4,3], %2: f32[N,4,3]) -> (r0: f32[N,4,3], r1: f32[N,4,3]) {
      %3 = mul(%1, %2) : f32[N,4,3]
      %4 = tanh(%3) : f32[N,4,3]
      return %4, %3
    }
  }
  return %k0, %k1
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });

  it('binds more than eight tensors through one arena window and packed weights', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => `%a${i}: f32[N,${i % 2 === 0 ? '3,5' : '1,5'}]`).join(', ');
    const bodyInputs = Array.from({ length: 8 }, (_, i) => `%b${i}: f32[N,${i % 2 === 0 ? '3,5' : '1,5'}]`).join(', ');
    const sum = Array.from({ length: 7 }, (_, i) => `      %s${i + 1} = add(%s${i}, %b${i + 1}) : f32[N,3,5]`).join('\n');
    const g = parseGraph(`graph @g(${inputs}) -> (y: f32[N,3,5], z: f32[N,3,5]) {
  %w = const() {ref="w", dtype="f32", shape=[5]} : f32[5]
  %v = const() {ref="v", dtype="f32", shape=[]} : f32[]
  %k0, %k1 = fused(${Array.from({ length: 8 }, (_, i) => `%a${i}`).join(', ')}, %w, %v) {name="add+greater"} : f32[N,3,5], bool[N,3,5] {
    graph @kernel(${bodyInputs}, %bw: f32[5], %bv: f32[]) -> (r0: f32[N,3,5], r1: bool[N,3,5]) {
      %s0 = mul(%b0, %bw) : f32[N,3,5]
${sum}
      %t = greater(%s7, %bv) : bool[N,3,5]
      return %s7, %t
    }
  }
  %z = select(%k1, %a0, %k0) : f32[N,3,5]
  return %k0, %z
}
weights {
  "w": f32[5] = [0.5,-1,2,0.25,3]
  "v": f32[] = [0.5]
}`);
    expect(await checkOnGpu(g)).toEqual([]);
  });
});
