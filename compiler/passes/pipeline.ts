/**
 * The optimization pipeline: one flat list, in order, each step with the
 * reason it sits where it does. `tfc` prints it with `--list-passes`.
 */
import { commonSubexpressionElimination } from './cse.js';
import { constantFolding } from './constant_folding.js';
import { deadCodeElimination } from './dce.js';
import type { Pass } from './pass.js';

export interface PipelineStep {
  pass: Pass;
  reason: string;
}

export const PIPELINE: readonly PipelineStep[] = [
  { pass: commonSubexpressionElimination, reason: 'merge duplicates first so later passes see one node per computation' },
  { pass: constantFolding, reason: 'evaluate weight-only subgraphs (transposes, reshapes of weights) at build time' },
  { pass: deadCodeElimination, reason: 'drop what folding and merging left unused, including stale weights' },
];

export function pipelinePasses(): Pass[] {
  return PIPELINE.map((s) => s.pass);
}
