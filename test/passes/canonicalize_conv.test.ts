/**
 * canonicalize-conv keeps meaning: the interpreter gives the same outputs
 * (tolerance rule) before and after, at batch 1 and 3, for every golden case,
 * for conv1d / conv2d_transpose over their paddings, strides and dilations,
 * plain and inside the fused kernels the full pipeline makes. Afterwards no
 * conv1d or conv2d_transpose is left, at top level or as a kernel's anchor,
 * and the build's lowering does the same on a graph the pipeline never saw
 * (`--no-opt`), which the interpreter still runs as imported.
 */
import { describe, expect, it } from 'vitest';
import '../../compiler/ops/index.js';
import type { Attrs } from '../../compiler/ir/attrs.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import { printGraph } from '../../compiler/ir/printer.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { resolveShape } from '../../compiler/ir/types.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { lowerForTargets } from '../../compiler/passes/lowering.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { compareTensors } from '../helpers/tolerance.js';
import { randomTensor } from '../ops/random.js';
import { GOLDEN_DIR, parseGoldenFile } from './golden.js';

function randomInputs(g: Graph, batch: number, seed: number): Tensor[] {
  return g.inputs.map((v, i) => randomTensor(resolveShape(v.type.shape, batch), seed * 31 + i, { dtype: v.type.dtype }));
}

/** Rewrites a copy of `g` with `rewrite` and checks its outputs against the original's; returns the copy. */
function expectSameOutputs(g: Graph, rewrite: (copy: Graph) => void, seed: number): Graph {
  const text = printGraph(g, { weights: true });
  const rewritten = parseGraph(text);
  rewrite(rewritten);
  for (const batch of [1, 3]) {
    const inputs = randomInputs(g, batch, seed + batch);
    const before = interpret(parseGraph(text), inputs);
    const after = interpret(rewritten, inputs);
    before.forEach((t, k) => expect(compareTensors(after[k], t), `output ${k} at batch ${batch}\n${printGraph(rewritten)}`).toBeNull());
  }
  return rewritten;
}

/** Every op of the graph, kernel anchors included. */
function allOps(g: Graph): string[] {
  return g.nodes.flatMap((n) => [n.op, ...(n.body?.nodes.map((b) => b.op) ?? [])]);
}

function expectCanonical(g: Graph): void {
  expect(allOps(g).filter((op) => op === 'conv1d' || op === 'conv2d_transpose')).toEqual([]);
}

const fullPipeline = (g: Graph): void => runPasses(g, pipelinePasses(), { verifyEach: true });

interface ConvCase {
  op: 'conv1d' | 'conv2d_transpose';
  x: number[];
  w: number[];
  attrs: Attrs;
}

const CASES: [string, ConvCase][] = [
  ['conv1d valid', { op: 'conv1d', x: [9, 3], w: [3, 3, 4], attrs: {} }],
  ['conv1d same stride 2', { op: 'conv1d', x: [10, 2], w: [4, 2, 3], attrs: { padding: 'same', stride: 2 } }],
  ['conv1d causal dilation 2', { op: 'conv1d', x: [8, 3], w: [3, 3, 5], attrs: { padding: 'causal', dilation: 2 } }],
  ['conv1d explicit pads', { op: 'conv1d', x: [7, 1], w: [2, 1, 3], attrs: { padding: 'explicit', pads: [2, 1] } }],
  ['conv2d_transpose valid stride 2', { op: 'conv2d_transpose', x: [4, 3, 3], w: [3, 3, 5, 3], attrs: { strides: [2, 2] } }],
  ['conv2d_transpose same strides [1,2]', { op: 'conv2d_transpose', x: [3, 4, 2], w: [2, 3, 4, 2], attrs: { strides: [1, 2], padding: 'same' } }],
  ['conv2d_transpose same kernel < stride', { op: 'conv2d_transpose', x: [3, 2, 2], w: [2, 2, 3, 2], attrs: { strides: [3, 3], padding: 'same' } }],
];

/** x -> conv (a weight filter); with `epilogue`, + bias, relu, + a residual input, tanh (what epilogue fusion takes). */
function convGraph(c: ConvCase, epilogue: boolean): Graph {
  const b = new GraphBuilder('g');
  const x = b.input('x', { dtype: 'f32', shape: ['N', ...c.x] });
  let y = b.op(c.op, [x, b.constant('w', randomTensor(c.w, 7))], c.attrs);
  if (epilogue) {
    const shape = y.type.shape;
    const residual = b.input('r', { dtype: 'f32', shape: [...shape] });
    y = b.op('add', [y, b.constant('bias', randomTensor([shape[shape.length - 1] as number], 8))]);
    y = b.op('relu', [y]);
    y = b.op('add', [y, residual]);
    y = b.op('tanh', [y]);
  }
  b.output('y', y);
  return b.graph;
}

describe('canonicalize-conv keeps the meaning', () => {
  const golden = parseGoldenFile(`${GOLDEN_DIR}canonicalize_conv.ir`);
  golden.cases.forEach((c, i) => {
    const title = /^\/\/ CASE: (.*)$/m.exec(c.input)?.[1] ?? `case ${i}`;
    it(`golden: ${title}`, () => {
      const passes = pipelinePasses().filter((p) => golden.passes.includes(p.name));
      expectCanonical(expectSameOutputs(parseGraph(c.input), (g) => runPasses(g, passes, { verifyEach: true }), 200 + i));
    });
  });

  it.each(CASES)('%s, plain, as the build lowers it without the pipeline', (_label, c) => {
    expectCanonical(expectSameOutputs(convGraph(c, false), lowerForTargets, 300));
  });

  it.each(CASES)('%s, fused with its epilogue by the full pipeline', (_label, c) => {
    const g = expectSameOutputs(convGraph(c, true), fullPipeline, 400);
    expectCanonical(g);
    // The epilogue stays fused around the canonical conv2d: one kernel, anchored on it.
    const kernels = g.nodes.filter((n) => n.op === 'fused');
    expect(kernels.map((n) => n.body?.nodes.map((b) => b.op).join('+'))).toEqual(['conv2d+add+relu+add+tanh']);
  });

  it('stacked conv1d layers meet through views only (squeeze then expand_dims collapse)', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 12, 2] });
    const h = b.op('relu', [b.op('conv1d', [x, b.constant('w1', randomTensor([3, 2, 4], 9))], { padding: 'same' })]);
    b.output('y', b.op('conv1d', [h, b.constant('w2', randomTensor([3, 4, 3], 10))], { padding: 'causal' }));
    const g = expectSameOutputs(b.graph, fullPipeline, 500);
    expectCanonical(g);
    expect(allOps(g).filter((op) => op === 'conv2d')).toHaveLength(2);
  });
});

describe('canonicalization in the build', () => {
  it('is a no-op on a graph the pipeline already canonicalized', () => {
    const g = convGraph(CASES[2][1], true);
    fullPipeline(g);
    const before = printGraph(g, { weights: true });
    lowerForTargets(g);
    expect(printGraph(g, { weights: true })).toBe(before);
  });

  it('lowering drops the transposed filter it replaced (no dead weight reaches a target)', () => {
    const g = convGraph(CASES[4][1], false);
    lowerForTargets(g);
    expect(g.nodes.filter((n) => n.op === 'const').map((n) => n.attrs.ref)).toEqual(['canonical.conv2d_transpose.filter.0']);
  });

  it('a run-time transposed filter is flipped by ops the targets run', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: ['N', 3, 3, 2] });
    const w = b.input('w', { dtype: 'f32', shape: [3, 3, 4, 2] });
    b.output('y', b.op('conv2d_transpose', [x, w], { strides: [2, 2], padding: 'same' }));
    const g = b.graph;
    const text = printGraph(g);
    lowerForTargets(g);
    expect(g.nodes.map((n) => n.op)).toEqual(['transpose', 'reverse', 'conv2d']);
    const inputs = [randomTensor([2, 3, 3, 2], 1), randomTensor([3, 3, 4, 2], 2)];
    expect(compareTensors(interpret(g, inputs)[0], interpret(parseGraph(text), inputs)[0])).toBeNull();
  });
});
