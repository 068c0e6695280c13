/**
 * Semantic checks for simplify, pad folding and batch-norm folding: the
 * interpreter gives the same outputs (tolerance rule) before and after the
 * pass, on random inputs at batch 1 and 3, for every golden case of these
 * passes and for seeded random conv / depthwise / dense / pad / pool graphs.
 */
import { describe, expect, it } from 'vitest';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import { printGraph } from '../../compiler/ir/printer.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { resolveShape, type Shape } from '../../compiler/ir/types.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { compareTensors } from '../helpers/tolerance.js';
import { randomTensor, seededRandom } from '../ops/random.js';
import { GOLDEN_DIR, parseGoldenFile } from './golden.js';

const MY_GOLDEN = ['simplify.ir', 'pad_folding.ir', 'batchnorm_folding.ir'];

function runNamed(g: Graph, names: readonly string[]): void {
  runPasses(g, pipelinePasses().filter((p) => names.includes(p.name)), { verifyEach: true });
}

function randomInputs(g: Graph, batch: number, seed: number): Tensor[] {
  return g.inputs.map((v, i) => randomTensor(resolveShape(v.type.shape, batch), seed * 31 + i, { dtype: v.type.dtype }));
}

/** Runs `names` on a copy of `g` and checks outputs agree with the original at batch 1 and 3. */
function expectSameOutputs(g: Graph, names: readonly string[], seed: number): Graph {
  const text = printGraph(g, { weights: true });
  const optimized = parseGraph(text);
  runNamed(optimized, names);
  for (const batch of [1, 3]) {
    const inputs = randomInputs(g, batch, seed + batch);
    const before = interpret(parseGraph(text), inputs);
    const after = interpret(optimized, inputs);
    before.forEach((t, k) => {
      const diff = compareTensors(after[k], t);
      expect(diff, `output ${k} at batch ${batch}\n${printGraph(optimized)}`).toBeNull();
    });
  }
  return optimized;
}

function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

describe('golden cases keep their semantics', () => {
  for (const file of MY_GOLDEN) {
    const golden = parseGoldenFile(`${GOLDEN_DIR}${file}`);
    golden.cases.forEach((c, i) => {
      const title = /^\/\/ CASE: (.*)$/m.exec(c.input)?.[1] ?? `case ${i}`;
      it(`${file}: ${title}`, () => {
        expectSameOutputs(parseGraph(c.input), golden.passes, 100 + i);
      });
    });
  }
});

/** A graph builder with seeded random weights. */
class RandomModel {
  readonly b = new GraphBuilder('g');
  private readonly rand: () => number;
  private count = 0;

  constructor(readonly seed: number) {
    this.rand = seededRandom(seed);
  }

  rand01(): number {
    return this.rand();
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)];
  }

  weight(shape: number[], min = -1, max = 1): Value {
    this.count++;
    return this.b.constant(`w${this.count}`, randomTensor(shape, this.seed * 1000 + this.count, { min, max }));
  }

  input(shape: Shape): Value {
    return this.b.input('x', { dtype: 'f32', shape });
  }

  batchNorm(x: Value, channels: number): Value {
    const params = [this.weight([channels]), this.weight([channels], 0.1, 2), this.weight([channels]), this.weight([channels])];
    return this.b.op('batch_norm', [x, ...params], { epsilon: this.pick([0.001, 1e-5]), axis: -1 });
  }
}

describe('batch-norm folding on random layers', () => {
  const passes = ['batchnorm-folding', 'constant-folding', 'dce'];
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      const m = new RandomModel(seed);
      const kind = m.pick(['conv2d', 'depthwise_conv2d', 'matmul', 'conv1d', 'conv2d_transpose'] as const);
      let y: Value;
      let channels: number;
      if (kind === 'matmul') {
        const k = m.int(1, 5);
        channels = m.int(1, 5);
        const transposeB = m.rand01() < 0.5;
        y = m.b.op('matmul', [m.input(['N', k]), m.weight(transposeB ? [channels, k] : [k, channels])], { transpose_b: transposeB });
      } else if (kind === 'conv1d') {
        const c = m.int(1, 3);
        channels = m.int(1, 4);
        const attrs = { stride: m.int(1, 2), dilation: m.int(1, 2), padding: m.pick(['same', 'valid', 'causal']) };
        y = m.b.op('conv1d', [m.input(['N', 7, c]), m.weight([m.int(1, 3), c, channels])], attrs);
      } else if (kind === 'conv2d_transpose') {
        const c = m.int(1, 3);
        channels = m.int(1, 4);
        const attrs = { strides: [m.int(1, 2), m.int(1, 2)], padding: m.pick(['same', 'valid']) };
        y = m.b.op('conv2d_transpose', [m.input(['N', 3, 4, c]), m.weight([m.int(1, 3), m.int(1, 3), channels, c])], attrs);
      } else {
        const c = m.int(1, 3);
        const kh = m.int(1, 3);
        const kw = m.int(1, 3);
        const attrs = { strides: [m.int(1, 2), m.int(1, 2)], dilations: [m.int(1, 2), 1], padding: m.pick(['same', 'valid']) };
        const x = m.input(['N', 6, 5, c]);
        if (kind === 'conv2d') {
          channels = m.int(1, 4);
          y = m.b.op('conv2d', [x, m.weight([kh, kw, c, channels])], attrs);
        } else {
          const mult = m.int(1, 2);
          channels = c * mult;
          y = m.b.op('depthwise_conv2d', [x, m.weight([kh, kw, c, mult])], attrs);
        }
      }
      if (m.rand01() < 0.7) {
        const bias = m.weight([channels]);
        y = m.b.op('add', m.rand01() < 0.5 ? [y, bias] : [bias, y]);
      }
      m.b.output('y', m.batchNorm(y, channels));
      const optimized = expectSameOutputs(m.b.graph, passes, seed);
      expect(ops(optimized)).not.toContain('batch_norm');
      expect(ops(optimized).filter((op) => op === kind)).toHaveLength(1);
      expect(ops(optimized).filter((op) => op === 'add')).toHaveLength(1);
    });
  }
});

describe('pad folding on random layers', () => {
  const passes = ['pad-folding', 'dce'];
  for (let seed = 1; seed <= 24; seed++) {
    it(`seed ${seed}`, () => {
      const m = new RandomModel(seed);
      const kind = m.pick(['conv2d', 'depthwise_conv2d', 'max_pool2d'] as const);
      const c = m.int(1, 3);
      let x = m.input(['N', 5, 6, c]);
      if (kind === 'max_pool2d') x = m.b.op('relu', [x]);
      const padded = m.b.op('pad', [x], { pads: [[0, 0], [m.int(0, 2), m.int(0, 2)], [m.int(0, 2), m.int(0, 2)], [0, 0]] });
      const strides = [m.int(1, 2), m.int(1, 2)];
      let y: Value;
      if (kind === 'max_pool2d') {
        y = m.b.op('max_pool2d', [padded], { pool: [3, 3], strides, padding: m.pick(['same', 'valid']) });
      } else {
        const dilations = [m.int(1, 2), m.int(1, 2)];
        const padding = m.pick(['same', 'valid', 'explicit']);
        const pads = padding === 'explicit' ? [[m.int(0, 1), m.int(0, 1)], [m.int(0, 1), m.int(0, 1)]] : [[0, 0], [0, 0]];
        const w = m.weight([m.int(1, 3), m.int(1, 3), c, kind === 'conv2d' ? m.int(1, 3) : m.int(1, 2)]);
        y = m.b.op(kind, [padded, w], { strides, dilations, padding, pads });
      }
      m.b.output('y', y);
      const optimized = expectSameOutputs(m.b.graph, passes, seed);
      // max_pool2d folds only while the summed padding stays below its window.
      if (kind !== 'max_pool2d') expect(ops(optimized)).not.toContain('pad');
    });
  }
});

describe('simplify on random chains', () => {
  const passes = ['simplify', 'dce'];
  const factorizations = [[2, 3, 4], [4, 3, 2], [6, 2, 2], [1, 24, 1], [3, 8, 1], [2, 12, 1]];
  const permutations = [[1, 2, 3], [2, 1, 3], [3, 1, 2], [1, 3, 2], [2, 3, 1], [3, 2, 1]];
  const ones: Tensor = { dtype: 'f32', shape: [1], data: Float32Array.of(1) };
  const zero: Tensor = { dtype: 'f32', shape: [], data: Float32Array.of(0) };
  for (let seed = 1; seed <= 16; seed++) {
    it(`seed ${seed}`, () => {
      const m = new RandomModel(seed);
      let x = m.input(['N', 2, 3, 4]);
      for (let i = 0; i < 8; i++) {
        const step = m.pick(['identity', 'dropout', 'transpose', 'reshape', 'times-one', 'plus-zero'] as const);
        if (step === 'identity') x = m.b.op('identity', [x]);
        else if (step === 'dropout') x = m.b.op('dropout', [x], { rate: 0.25 });
        else if (step === 'transpose') x = m.b.op('transpose', [x], { perm: [0, ...m.pick(permutations)] });
        else if (step === 'reshape') x = m.b.op('reshape', [x], { shape: ['N', ...m.pick(factorizations)] });
        else if (step === 'times-one') x = m.b.op('mul', [x, m.b.constant('ones', ones)]);
        else x = m.b.op('add', [m.b.constant('zero', zero), x]);
      }
      m.b.output('y', m.b.op('tanh', [x]));
      const optimized = expectSameOutputs(m.b.graph, passes, seed);
      for (const op of ['identity', 'dropout', 'mul', 'add']) expect(ops(optimized)).not.toContain(op);
      // No transpose or reshape reads another of its kind: every such chain collapsed.
      const producers = optimized.producers();
      const chained = optimized.nodes.filter((n) => n.inputs.length > 0 && producers.get(n.inputs[0].id)?.op === n.op);
      expect(chained.map((n) => n.op)).toEqual([]);
    });
  }
});
