/**
 * Cases shared by the decompose-activations tests: every composite op of the
 * registry (with each value of its bool attributes), a graph computing all of
 * them, and inputs full of special values. A new composite activation is
 * covered here without being named.
 */
import '../../compiler/ops/index.js';
import type { Attrs } from '../../compiler/ir/attrs.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { getOp } from '../../compiler/ir/op.js';
import { f32, type Tensor } from '../../compiler/ir/tensor.js';
import { compositeOps } from '../../compiler/ops/elementwise/composite.js';
import { DENORMAL, SPECIAL_VALUES } from '../ops/special_values.js';

export interface CompositeCase {
  op: string;
  attrs: Attrs;
  /** `op` or `op_name_value`: an output name. */
  label: string;
}

/** Every combination of an op's bool attributes; other attributes take their defaults. */
function attrVariants(op: string): Attrs[] {
  let variants: Attrs[] = [{}];
  for (const [name, spec] of Object.entries(getOp(op).attrs)) {
    if (spec.kind === 'bool') variants = variants.flatMap((a) => [{ ...a, [name]: false }, { ...a, [name]: true }]);
    else if (spec.default === undefined) throw new Error(`${op}: give the test a value for the required attribute '${name}'`);
  }
  return variants;
}

export function compositeCases(): CompositeCase[] {
  return compositeOps().flatMap((op) =>
    attrVariants(op).map((attrs) => {
      const detail = Object.entries(attrs).map(([k, v]) => `_${k}_${String(v)}`);
      return { op, attrs, label: op + detail.join('') };
    }),
  );
}

/** The special values, the branch points' neighbourhoods, a fine grid over [-8, 8] and far tails. */
export const COMPOSITE_INPUTS: readonly number[] = [
  ...SPECIAL_VALUES,
  ...Array.from({ length: 257 }, (_, i) => -8 + i / 16),
  1e-7, -1e-7, DENORMAL * 1e3, 20, -20, 88, -88, 1e4, -1e4, 1e20, -1e20, 3.4e38, -3.4e38,
];

/** x: f32[N, inputs] and one output per case, named by its label. */
export function compositeGraph(cases: readonly CompositeCase[]): Graph {
  const b = new GraphBuilder('composites');
  const x = b.input('x', { dtype: 'f32', shape: ['N', COMPOSITE_INPUTS.length] });
  for (const c of cases) b.output(c.label, b.op(c.op, [x], c.attrs));
  return b.graph;
}

/** The inputs at a batch size, each batch item rotated so that every value meets every SIMD lane. */
export function compositeInputs(batch: number): Tensor[] {
  const n = COMPOSITE_INPUTS.length;
  const data = Array.from({ length: batch }, (_, row) => COMPOSITE_INPUTS.map((_, i) => COMPOSITE_INPUTS[(i + row) % n])).flat();
  return [f32([batch, n], data)];
}
