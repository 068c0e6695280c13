/**
 * The issue's acceptance bar for MobileNetV2, shared by the DSL model's test
 * and the imported files' test: after the full pipeline no batch norm
 * remains, no standalone pad / bias / activation kernel follows a
 * convolution or matmul, at most 70 kernels, and the planned peak memory is
 * at most half the naive sum of all intermediate tensors.
 */
import { expect } from 'vitest';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { inspectGraphs, type InspectReport } from '../../compiler/inspect.js';
import type { Graph, Node } from '../../compiler/ir/graph.js';
import { getOp } from '../../compiler/ir/op.js';
import type { ModelSpec } from '../../compiler/layers/layer.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';

export function allNodes(g: Graph): Node[] {
  return g.nodes.flatMap((n) => [n, ...(n.body ? allNodes(n.body) : [])]);
}

/** A kernel that runs a convolution or matmul (alone or as a fused kernel's anchor). */
function hasAnchor(n: Node): boolean {
  return getOp(n.op).fusionAnchor === true || (n.body !== undefined && allNodes(n.body).some((b) => getOp(b.op).fusionAnchor === true));
}

/** A kernel that only does elementwise work: a plain elementwise op, or a fused kernel of elementwise ops. */
function isElementwiseKernel(n: Node): boolean {
  if (getOp(n.op).elementwise) return true;
  return n.body !== undefined && n.body.nodes.every((b) => getOp(b.op).elementwise !== undefined);
}

/** Top-level kernels that should have been folded or fused away, described for the failure message. */
export function standaloneKernels(g: Graph): string[] {
  const producers = g.producers();
  const found: string[] = [];
  g.nodes.forEach((n, i) => {
    if (n.op === 'pad') found.push(`node ${i}: pad`);
    else if (isElementwiseKernel(n)) {
      const anchors = n.inputs.map((v) => producers.get(v.id)).filter((p): p is Node => p !== undefined && hasAnchor(p));
      if (anchors.length > 0) found.push(`node ${i}: ${n.op}${n.attrs.name ? ` ${String(n.attrs.name)}` : ''} after ${anchors[0].op}`);
    }
  });
  return found;
}

/** Runs the full pipeline (verifying after each pass) on the spec, checks the bar, and returns the inspect report. */
export function expectMobileNetAcceptance(spec: ModelSpec): InspectReport {
  const before = lowerModel(spec).graph;
  const after = lowerModel(spec).graph;
  runPasses(after, pipelinePasses(), { verifyEach: true });
  const report = inspectGraphs(before, after);

  expect(allNodes(after).filter((n) => n.op === 'batch_norm')).toEqual([]);
  expect(standaloneKernels(after)).toEqual([]);
  expect(report.kernels_after, JSON.stringify(report.ops_after)).toBeLessThanOrEqual(70);
  expect(report.peak_bytes, `peak ${report.peak_bytes} vs naive ${report.naive_bytes}`).toBeLessThanOrEqual(0.5 * report.naive_bytes);
  return report;
}
