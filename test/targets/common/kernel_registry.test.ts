/**
 * The shared support table (targets/common): how a node finds its emitter,
 * how a `fused` kernel goes by its form, what an unsupported node is reported
 * as, and the support scan both targets run before compiling. A toy target
 * whose emitters return strings stands in for wasm and WebGPU.
 */
import '../../../compiler/ops/index.js';
import { describe, expect, it } from 'vitest';
import type { Node } from '../../../compiler/ir/graph.js';
import { parseGraph } from '../../../compiler/ir/parser.js';
import { graphFacts } from '../../../compiler/ir/constants.js';
import { kernelRegistry, type KernelEmitter, type KernelRegistry } from '../../../targets/common/kernel_registry.js';
import { requireKernel, UnsupportedOpError, unsupportedNodes, unsupportedOps } from '../../../targets/common/support.js';

type Toy = KernelEmitter<{ node: Node }, string>;

const emitter = (label: string, refuse?: string): Toy => ({ unsupported: () => refuse ?? null, emit: ({ node }) => `${label}:${node.op}` });

class ToyUnsupportedError extends UnsupportedOpError {}

function toyRegistry(fusedElementwise = true): { registry: KernelRegistry<Toy>; seen: KernelRegistry<Toy>[] } {
  const seen: KernelRegistry<Toy>[] = [];
  const registry = kernelRegistry<{ node: Node }, string>('toy', (self) => {
    seen.push(self);
    return {
      kernels: { relu: emitter('plain'), matmul: emitter('matmul'), exp: emitter('plain', "the toy target does not support 'exp' here") },
      epilogues: { matmul: emitter('gemm') },
      ...(fusedElementwise ? { fusedElementwise: emitter('loop') } : {}),
    };
  });
  return { registry, seen };
}

const GRAPH = `graph @g(%x: f32[N,3]) -> (a: f32[N,4], b: f32[N,3], c: f32[N,3], d: f32[N,3], e: f32[12]) {
  %0 = const() {ref="w", dtype="f32", shape=[3,4]} : f32[3,4]
  %1 = fused(%x, %0) {name="matmul+relu"} : f32[N,4] {
    graph @kernel(%2: f32[N,3], %3: f32[3,4]) -> (r0: f32[N,4]) {
      %4 = matmul(%2, %3) {transpose_a=false, transpose_b=false} : f32[N,4]
      %5 = relu(%4) : f32[N,4]
      return %5
    }
  }
  %6 = fused(%x) {name="neg+relu"} : f32[N,3] {
    graph @kernel(%7: f32[N,3]) -> (r0: f32[N,3]) {
      %8 = neg(%7) : f32[N,3]
      %9 = relu(%8) : f32[N,3]
      return %9
    }
  }
  %10 = tanh(%x) : f32[N,3]
  %11 = exp(%x) : f32[N,3]
  %12 = tanh(%10) : f32[N,3]
  %13 = reshape(%0) {shape=[12]} : f32[12]
  return %1, %6, %11, %12, %13
}
weights {
  "w": f32[3,4] = [1,2,3,4,5,6,7,8,9,10,11,12]
}`;

describe('kernel registry', () => {
  const { registry, seen } = toyRegistry();
  const g = parseGraph(GRAPH);
  const facts = graphFacts(g);
  // Nodes by index: 0 const, 1 fused matmul+relu, 2 fused neg+relu, 3 tanh, 4 exp, 5 tanh, 6 reshape.
  const at = (i: number): Node => g.nodes[i];

  it('hands the table the registry itself, for kernels that compile nested graphs', () => {
    expect(seen).toEqual([registry]);
    expect(registry.target).toBe('toy');
  });

  it('finds a plain kernel by op and a fused kernel by its form', () => {
    const run = (i: number): string => {
      const found = registry.kernelFor(at(i), facts);
      if (typeof found === 'string') throw new Error(found);
      return found.emit({ node: at(i) });
    };
    expect(run(1)).toBe('gemm:fused');
    expect(run(2)).toBe('loop:fused');
  });

  it('explains a missing op naming it, and passes on an emitter\'s own refusal', () => {
    expect(registry.kernelFor(at(3), facts)).toBe("the toy target does not support op 'tanh' yet");
    expect(registry.kernelFor(at(4), facts)).toBe("the toy target does not support 'exp' here");
  });

  it('reports a fused epilogue kernel by its anchor op, any other node by its op', () => {
    expect(registry.reportedOp(at(1))).toBe('matmul');
    expect(registry.reportedOp(at(2))).toBe('fused');
    expect(registry.reportedOp(at(3))).toBe('tanh');
  });

  it('names the missing anchor of an epilogue body, or the missing fused elementwise emitter', () => {
    const bare = kernelRegistry<{ node: Node }, string>('bare', () => ({ kernels: {}, epilogues: {} }));
    expect(bare.kernelFor(at(1), facts)).toBe("the bare target does not support op 'matmul' yet");
    expect(bare.kernelFor(at(2), facts)).toBe('the bare target does not support fused elementwise kernels yet');
  });

  it('does not take an inherited object property for an op name', () => {
    const odd = parseGraph(GRAPH);
    const node = odd.nodes.find((n) => n.op === 'tanh') as Node;
    node.op = 'toString';
    expect(registry.kernelFor(node, facts)).toBe("the toy target does not support op 'toString' yet");
  });
});

describe('support scan', () => {
  const { registry } = toyRegistry();
  const g = parseGraph(GRAPH);

  it('lists every kernel node without an emitter, skipping weight reads and views', () => {
    const found = unsupportedNodes(g, registry).map((u) => [g.nodes.indexOf(u.node), u.op, u.reason]);
    expect(found).toEqual([
      [3, 'tanh', "the toy target does not support op 'tanh' yet"],
      [4, 'exp', "the toy target does not support 'exp' here"],
      [5, 'tanh', "the toy target does not support op 'tanh' yet"],
    ]);
    expect(unsupportedOps(g, registry)).toEqual(['tanh', 'exp']);
  });

  it('requireKernel throws the target\'s error class naming the op, value and node index', () => {
    const node = g.nodes[3];
    let error: unknown;
    try {
      requireKernel(registry, node, 3, graphFacts(g), ToyUnsupportedError);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToyUnsupportedError);
    expect((error as ToyUnsupportedError).op).toBe('tanh');
    expect((error as Error).message).toBe(`the toy target does not support op 'tanh' yet (value %${node.outputs[0].id}, node 3)`);
  });
});
