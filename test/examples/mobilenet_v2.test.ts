/**
 * examples/mobilenet_v2: the DSL model matches Keras' MobileNetV2 (parameter
 * totals and layer shapes from Keras' own summary), and the optimizing
 * pipeline meets the acceptance bar on it: no batch norm, no
 * standalone pad / bias / activation kernel, at most 70 kernels, planned peak
 * memory at most half the naive sum; and the optimized graph computes the
 * same numbers.
 */
import { describe, expect, it } from 'vitest';
import mobilenetV2, { mobileNetV2 } from '../../examples/mobilenet_v2/model.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { tensor } from '../../compiler/ir/tensor.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { Rng } from '../passes/random_graph.js';
import { compareTensors } from '../helpers/tolerance.js';
import { expectMobileNetAcceptance } from './mobilenet_acceptance.js';

/** Column end positions of Keras' functional summary table. */
const COLUMNS = [32, 53, 65, 98];

function total(text: string, label: string): number {
  const m = new RegExp(`^${label}: ([\\d,]+)$`, 'm').exec(text);
  if (!m) throw new Error(`no '${label}' line in\n${text}`);
  return Number(m[1].replace(/,/g, ''));
}

function outputShape(text: string, layer: string): string {
  const line = text.split('\n').find((l) => l.startsWith(` ${layer} (`));
  if (line === undefined) throw new Error(`no row for '${layer}'`);
  return line.slice(COLUMNS[0], COLUMNS[1]).trim();
}

/** Moving statistics and affine parameters that make every batch norm do real work. */
function randomizeBatchNorms(g: Graph): void {
  const r = new Rng(7);
  for (const [name, t] of g.weights) {
    const m = /\/(moving_mean|moving_variance|gamma|beta)$/.exec(name);
    if (!m) continue;
    const draw = (): number => (m[1] === 'moving_variance' ? r.uniform(0.5, 1.5) : m[1] === 'gamma' ? r.uniform(0.5, 1.5) : r.uniform(-0.2, 0.2));
    g.weights.set(name, tensor(t.dtype, t.shape, Array.from(t.data, draw)));
  }
}

describe('examples/mobilenet_v2', () => {
  it("matches Keras' MobileNetV2 summary: parameter totals and layer shapes", () => {
    const text = mobilenetV2.summary();
    expect(text.split('\n')[0]).toBe('Model: "mobilenetv2_1.00_224"');
    expect(total(text, 'Total params')).toBe(3_538_984);
    expect(total(text, 'Trainable params')).toBe(3_504_872);
    expect(total(text, 'Non-trainable params')).toBe(34_112);
    expect(outputShape(text, 'Conv1')).toBe('(None, 112, 112, 32)');
    expect(outputShape(text, 'expanded_conv_project_BN')).toBe('(None, 112, 112, 16)');
    expect(outputShape(text, 'block_1_pad')).toBe('(None, 113, 113, 96)');
    expect(outputShape(text, 'block_2_add')).toBe('(None, 56, 56, 24)');
    expect(outputShape(text, 'block_16_project_BN')).toBe('(None, 7, 7, 320)');
    expect(outputShape(text, 'Conv_1')).toBe('(None, 7, 7, 1280)');
    expect(outputShape(text, 'global_average_pooling2d')).toBe('(None, 1280)');
    expect(outputShape(text, 'predictions')).toBe('(None, 1000)');
  });

  it('optimizes to fused kernels over a compact memory plan', { timeout: 120_000 }, () => {
    expectMobileNetAcceptance(mobilenetV2.toSpec());
  });

  // The reference interpreter is slow at 224x224; the same architecture at 96x96 exercises every rewrite.
  it('computes the same outputs after the pipeline (96x96 variant, non-trivial batch norms)', { timeout: 120_000 }, () => {
    const spec = mobileNetV2({ inputSize: 96 }).toSpec();
    const before = lowerModel(spec).graph;
    randomizeBatchNorms(before);
    const after = lowerModel(spec).graph;
    after.weights = new Map(before.weights);
    runPasses(after, pipelinePasses());

    const r = new Rng(11);
    const x = tensor('f32', [2, 96, 96, 3], Array.from({ length: 2 * 96 * 96 * 3 }, () => r.uniform(-1, 1)));
    const [expected] = interpret(before, [x]);
    const [got] = interpret(after, [x]);
    expect(compareTensors(got, expected)).toBeNull();
  });
});
