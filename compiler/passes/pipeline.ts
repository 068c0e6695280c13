/**
 * The optimization pipeline: one flat list, in order, each step with the
 * reason it sits where it does. `tfc` prints it with `--list-passes`.
 */
import { batchNormFolding } from './batchnorm_folding.js';
import { canonicalizeConv } from './canonicalize_conv.js';
import { commonSubexpressionElimination } from './cse.js';
import { constantFolding } from './constant_folding.js';
import { deadCodeElimination } from './dce.js';
import { decomposeActivations } from './decompose_activations.js';
import { elementwiseFusion } from './elementwise_fusion.js';
import { epilogueFusion } from './epilogue_fusion.js';
import { padFolding } from './pad_folding.js';
import type { Pass } from './pass.js';
import { simplify } from './simplify.js';

export interface PipelineStep {
  pass: Pass;
  reason: string;
}

export const PIPELINE: readonly PipelineStep[] = [
  { pass: commonSubexpressionElimination, reason: 'merge duplicates first so later passes see one node per computation' },
  { pass: simplify, reason: 'drop no-op ops and collapse chains early so the pattern passes below see the real producers' },
  { pass: padFolding, reason: 'before fusion wraps the conv or pool, so an explicit pad becomes the op\'s own padding' },
  { pass: batchNormFolding, reason: 'before constant folding, which then computes the scaled weights and biases; before fusion, so the bias add is what the epilogue takes' },
  { pass: constantFolding, reason: 'evaluate weight-only subgraphs (transposes, reshapes of weights) at build time' },
  { pass: deadCodeElimination, reason: 'drop what folding and merging left unused, including stale weights' },
  { pass: epilogueFusion, reason: 'after folding and simplification, so bias, activation and residual chains are final; before elementwise fusion, which would split them' },
  { pass: elementwiseFusion, reason: 'groups the elementwise ops no epilogue took into single-loop kernels' },
  { pass: canonicalizeConv, reason: 'after fusion, which would stop at the squeeze a conv1d leaves; it rebuilds conv kernels around conv2d (also run by every build, see lowering.ts)' },
  { pass: decomposeActivations, reason: 'after fusion, inside the kernels it made: swish, mish, softsign and gelu read their operand twice, which would end epilogue chains; the next round fuses the lone ones left at top level' },
];

export function pipelinePasses(): Pass[] {
  return PIPELINE.map((s) => s.pass);
}
