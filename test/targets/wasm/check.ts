/**
 * Compiles a graph for the wasm target and checks it against the reference
 * interpreter at several batch sizes, by the conformance tolerance rule.
 */
import '../../../compiler/ops/index.js';
import type { Graph } from '../../../compiler/ir/graph.js';
import { interpret } from '../../../compiler/interpreter/interpreter.js';
import { f32, type Tensor } from '../../../compiler/ir/tensor.js';
import { elementCount, resolveShape } from '../../../compiler/ir/types.js';
import { compileWasm } from '../../../targets/wasm/index.js';
import { compareTensors, type Tolerance, CONFORMANCE_TOLERANCE } from '../../helpers/tolerance.js';
import { loadArtifact } from './run_wasm.js';

/** Deterministic values in [-scale, scale). */
export function randomValues(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

export function randomInputs(g: Graph, batch: number, seed: number, scale = 3): Tensor[] {
  return g.inputs.map((v, i) => {
    const shape = resolveShape(v.type.shape, batch);
    return f32(shape, randomValues(elementCount(shape), seed * 31 + i, scale));
  });
}

/**
 * The tolerance rule, extended to special values: where the reference is
 * NaN or infinite the compiled result must be the same special value (the
 * rule itself fails on any NaN); the rest goes through compareTensors.
 */
export function compareWithSpecials(got: Tensor, want: Tensor, tolerance: Tolerance = CONFORMANCE_TOLERANCE): string | null {
  const g = Float32Array.from(got.data);
  const w = Float32Array.from(want.data);
  for (let i = 0; i < w.length && i < g.length; i++) {
    if (Number.isFinite(w[i])) continue;
    const same = Number.isNaN(w[i]) ? Number.isNaN(g[i]) : g[i] === w[i];
    if (!same) return `element ${i}: got ${g[i]}, expected ${w[i]}`;
    g[i] = 0;
    w[i] = 0;
  }
  return compareTensors({ ...got, data: g }, { ...want, data: w }, tolerance);
}

/** Problems found (empty when the compiled graph matches the interpreter at every batch). */
export async function checkAgainstInterpreter(
  g: Graph,
  options: { batches?: number[]; inputs?: (batch: number) => Tensor[]; scale?: number; tolerance?: Tolerance } = {},
): Promise<string[]> {
  const artifact = compileWasm(g);
  if (!WebAssembly.validate(artifact.wasm)) return ['the module does not validate'];
  const loaded = await loadArtifact(artifact);
  const problems: string[] = [];
  for (const batch of options.batches ?? [1, 3]) {
    const inputs = options.inputs ? options.inputs(batch) : randomInputs(g, batch, batch + 7, options.scale);
    const want = interpret(g, inputs);
    const got = loaded.run(inputs);
    want.forEach((w, j) => {
      const problem = compareWithSpecials(got[j], w, options.tolerance);
      if (problem) problems.push(`batch ${batch}, output ${j}: ${problem}`);
    });
  }
  return problems;
}
