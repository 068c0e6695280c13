/**
 * The GEMM family: matmul and conv2d (conv1d and conv2d_transpose arrive as conv2d), alone or as
 * the anchor of a `fused` epilogue kernel, all through the one tiled GEMM
 * shader (gemm_shader.ts). Each op says how its problem maps onto the GEMM
 * (gemm_matmul.ts, gemm_conv.ts); an epilogue (bias, activation, residual)
 * runs on every accumulator before the store (../epilogue.ts).
 */
import type { Node } from '../../../compiler/ir/graph.js';
import type { Affine } from '../../../compiler/plan/index.js';
import { epilogueCode, epilogueUnsupported } from '../epilogue.js';
import type { GpuKernelEmitter } from './context.js';
import type { KernelFamily } from './family.js';
import { gemmAnchor } from './gemm_anchor.js';
import { convGemm } from './gemm_conv.js';
import { matmulGemm, matmulGemmUnsupported } from './gemm_matmul.js';
import { gemmDispatch } from './gemm_shader.js';

/** How one op's anchor maps onto the GEMM: sizes and the bodies of the A / B load functions. */
interface GemmProblem {
  rows: Affine;
  cols: number;
  depth: number;
  groups?: Affine;
  loadA(a: string): string;
  loadB(b: string): string;
}

const EPILOGUE_PREFIX = 'ep_';

function gemmKernel(problem: (anchor: Node) => GemmProblem, anchorUnsupported: (anchor: Node) => string | null): GpuKernelEmitter {
  return {
    unsupported(node) {
      const why = anchorUnsupported(gemmAnchor(node).anchor);
      if (why !== null || !node.body) return why;
      return epilogueUnsupported(node);
    },
    emit(ctx) {
      const { anchor, operands } = gemmAnchor(ctx.node);
      const p = problem(anchor);
      const epilogue = ctx.node.body ? epilogueCode(ctx, EPILOGUE_PREFIX) : undefined;
      const bindings = [ctx.operand(operands[0], 'gemm_a_in'), ctx.operand(operands[1], 'gemm_b_in'), ctx.result(0, 'gemm_out'), ...(epilogue?.bindings ?? [])];
      return [
        gemmDispatch({
          label: `${ctx.label} gemm`,
          rows: p.rows,
          cols: p.cols,
          depth: p.depth,
          groups: p.groups ?? { base: 1, perBatch: 0 },
          bindings,
          loadA: p.loadA('gemm_a_in'),
          loadB: p.loadB('gemm_b_in'),
          output: 'gemm_out',
          declarations: epilogue ? [epilogue.declaration] : [],
          apply: epilogue ? `${EPILOGUE_PREFIX}apply` : undefined,
        }),
      ];
    },
  };
}

const matmulKernel = gemmKernel(matmulGemm, matmulGemmUnsupported);
const convKernel = gemmKernel(convGemm, () => null);

const GEMM_KERNELS = { matmul: matmulKernel, conv2d: convKernel };

export const MATMUL_FAMILY: KernelFamily = { kernels: GEMM_KERNELS, epilogues: GEMM_KERNELS };
