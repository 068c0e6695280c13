import { describe, expect, it } from 'vitest';
import '../../compiler/ops/index.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { formatInspectReport, inspectGraphs, type InspectReport } from '../../compiler/inspect.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { f32, tensor } from '../../compiler/ir/tensor.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';
import { listConformanceCases } from '../helpers/conformance.js';

function filled(shape: number[], value = 0.5): ReturnType<typeof f32> {
  return f32(shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(value));
}

/** x[N,8,8,3] -> conv 3x3 (16) -> +bias -> relu -> reshape [N,1024] -> matmul [1024,10] -> softmax */
function smallCnn(): Graph {
  const b = new GraphBuilder('cnn');
  const x = b.input('x', { dtype: 'f32', shape: ['N', 8, 8, 3] });
  const c = b.op('conv2d', [x, b.constant('k', filled([3, 3, 3, 16]))], { padding: 'same' });
  const r = b.op('relu', [b.op('add', [c, b.constant('bias', filled([16]))])]);
  const flat = b.op('reshape', [r], { shape: ['N', -1] });
  const y = b.op('softmax', [b.op('matmul', [flat, b.constant('dense', filled([1024, 10], 0.01))])]);
  b.output('y', y);
  b.output('flag', b.constant('flag', tensor('bool', [3], [1, 0, 1])));
  return b.graph;
}

describe('inspect report', () => {
  it('has exactly the documented keys', () => {
    const report = inspectGraphs(smallCnn(), smallCnn());
    expect(Object.keys(report)).toEqual(['nodes_before', 'kernels_after', 'ops_after', 'peak_bytes', 'naive_bytes', 'weight_bytes']);
  });

  it('counts nodes, kernels, intermediate bytes and weight bytes', () => {
    const report = inspectGraphs(smallCnn(), smallCnn());
    // conv2d, add, relu, reshape, matmul, softmax; the four const nodes are weights
    expect(report.nodes_before).toBe(6);
    // the reshape is a view: nothing to launch
    expect(report.kernels_after).toBe(5);
    expect(report.ops_after).toEqual({ add: 1, conv2d: 1, matmul: 1, relu: 1, softmax: 1 });
    // conv, add, relu, reshape: 8*8*16 floats each; matmul, softmax: 10 floats each
    expect(report.naive_bytes).toBe(4 * (4 * 1024 + 2 * 10));
    // kernel, bias, dense kernel (f32) and the bool flag (1 byte per element)
    expect(report.weight_bytes).toBe(4 * (3 * 3 * 3 * 16 + 16 + 1024 * 10) + 3);
    // in place, the add and relu reuse the conv result; the input and two 4 KiB buffers are the most live at once
    expect(report.peak_bytes).toBeLessThanOrEqual(768 + 2 * 4096);
    expect(report.peak_bytes).toBeLessThan(report.naive_bytes);
  });

  it('only counts weights the optimized graph still reads', () => {
    const before = smallCnn();
    const after = smallCnn();
    after.weights.set('stale', filled([1000]));
    expect(inspectGraphs(before, after).weight_bytes).toBe(inspectGraphs(before, smallCnn()).weight_bytes);
  });

  it('formats an aligned table with ops by count, then name', () => {
    const report: InspectReport = {
      nodes_before: 1234,
      kernels_after: 6,
      ops_after: { softmax: 1, fused: 3, add: 1, matmul: 1 },
      peak_bytes: 2048,
      naive_bytes: 8192,
      weight_bytes: 3 * 1024 * 1024,
    };
    const text = formatInspectReport(report);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^nodes before\s+1,234$/);
    expect(lines[1]).toMatch(/^kernels after\s+6$/);
    expect(text).toContain('2,048  2.0 KiB (25.0% of naive)');
    expect(text).toContain('3.0 MiB');
    const ops = lines.slice(lines.indexOf('ops after:') + 1).map((l) => l.trim().split(/\s+/)[0]);
    expect(ops).toEqual(['fused', 'add', 'matmul', 'softmax']);
    // numbers end in one column
    const numberEnds = lines.filter((l) => l !== 'ops after:').map((l) => /^\s*\S+(?: \S+)*?\s{2,}[\d,]+/.exec(l)?.[0].length);
    expect(numberEnds.every((n) => n !== undefined && n === numberEnds[0])).toBe(true);
  });

  it('reports the optimized mnist conformance model with a plan well under the naive sum', async () => {
    const mnist = listConformanceCases().find((c) => c.name === 'mnist_cnn');
    if (!mnist) throw new Error('the conformance suite has no mnist_cnn case');
    const spec = await loadKerasFile(mnist.modelFile);
    const before = lowerModel(spec).graph;
    const after = lowerModel(spec).graph;
    runPasses(after, pipelinePasses());
    const report = inspectGraphs(before, after);
    expect(report.kernels_after).toBeLessThanOrEqual(report.nodes_before);
    expect(report.peak_bytes).toBeLessThan(report.naive_bytes);
    expect(report.weight_bytes).toBeGreaterThan(0);
    expect(Object.values(report.ops_after).reduce((a, b) => a + b, 0)).toBe(report.kernels_after);
  });
});
