/**
 * Random graphs by seed, from the two existing generators (the pass
 * pipeline's, test/passes/random_graph.ts, and the memory plan's,
 * test/plan/random.ts), and the union of several of them into one graph of
 * disjoint components. The union is what makes differential testing at
 * scale affordable: a target pays its fixed cost per compiled module
 * (binaryen's optimizer, WebGPU pipeline creation) once for a batch of
 * graphs, and each component's outputs are still compared on their own.
 */
import fc from 'fast-check';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import { elementCount, resolveShape } from '../../compiler/ir/types.js';
import { buildRandomGraph as buildPassesGraph, graphRecipe, Rng } from '../passes/random_graph.js';
import { buildRandomGraph as buildPlanGraph, recipeArb as planRecipe } from '../plan/random.js';

export type Family = 'passes' | 'plan';

export interface Component {
  seed: number;
  family: Family;
  graph: Graph;
}

/** The graph a seed stands for: two seeds in three draw from the pass generator, the rest from the plan generator. */
export function randomComponent(seed: number): Component {
  if (seed % 3 === 2) {
    const [recipe] = fc.sample(planRecipe, { seed, numRuns: 1 });
    return { seed, family: 'plan', graph: buildPlanGraph(recipe) };
  }
  const [recipe] = fc.sample(graphRecipe, { seed, numRuns: 1 });
  return { seed, family: 'passes', graph: buildPassesGraph(recipe).graph };
}

export interface GraphUnion {
  graph: Graph;
  /** For each part, the indices of its inputs and outputs in the union. */
  inputsOf: number[][];
  outputsOf: number[][];
}

/**
 * One graph holding every part as a disjoint component: inputs, outputs and
 * weights renamed `g<k>.<name>`, nodes rebuilt through the builder (types
 * inferred again). Parts must not have body graphs (unoptimized graphs do not).
 */
export function unionGraphs(parts: readonly Graph[]): GraphUnion {
  const b = new GraphBuilder('union');
  const inputsOf: number[][] = [];
  const outputsOf: number[][] = [];
  parts.forEach((part, k) => {
    const prefix = `g${k}.`;
    const values = new Map<number, Value>();
    const at = (v: Value): Value => {
      const mapped = values.get(v.id);
      if (!mapped) throw new Error(`unionGraphs: part ${k} reads value ${v.id} before it is defined`);
      return mapped;
    };
    inputsOf.push(part.inputs.map((v, i) => {
      values.set(v.id, b.input(`${prefix}${v.name ?? `in${i}`}`, v.type));
      return b.graph.inputs.length - 1;
    }));
    for (const node of part.nodes) {
      if (node.body) throw new Error(`unionGraphs: part ${k} has a body graph (${node.op}); union unoptimized graphs`);
      let attrs = node.attrs;
      if (node.op === 'const') {
        const ref = `${prefix}${String(node.attrs.ref)}`;
        const data = part.weights.get(String(node.attrs.ref));
        if (!data) throw new Error(`unionGraphs: part ${k} has no weight '${String(node.attrs.ref)}'`);
        b.graph.weights.set(ref, data);
        attrs = { ...node.attrs, ref };
      }
      const outs = b.apply(node.op, node.inputs.map(at), attrs);
      node.outputs.forEach((v, i) => values.set(v.id, outs[i]));
    }
    outputsOf.push(part.outputs.map((o) => {
      b.output(`${prefix}${o.name}`, at(o.value));
      return b.graph.outputs.length - 1;
    }));
  });
  return { graph: b.graph, inputsOf, outputsOf };
}

const SPECIALS = [NaN, Infinity, -Infinity];

/**
 * Inputs for a component at a batch size: uniform in [-1.5, 1.5) (the range
 * the generators keep away from overflow and discontinuities), integers for
 * i32 inputs; with `special`, a few elements of each f32 input become NaN,
 * +Inf or -Inf (the special-values policy, docs/OPS.md, fixes what every op
 * gives for them).
 */
export function componentInputs(g: Graph, batch: number, seed: number, special: boolean): Tensor[] {
  const r = new Rng(seed);
  return g.inputs.map((v) => {
    const shape = resolveShape(v.type.shape, batch);
    const count = elementCount(shape);
    if (v.type.dtype === 'i32') return tensor('i32', shape, Array.from({ length: count }, () => r.int(-3, 3)));
    const data = Array.from({ length: count }, () => r.uniform(-1.5, 1.5));
    if (special && count > 0) {
      for (let k = r.int(1, 3); k > 0; k--) data[r.int(0, count - 1)] = r.pick(SPECIALS);
    }
    return tensor('f32', shape, data);
  });
}
