/**
 * Composite elementwise ops (those whose OpDef has `decompose`) expanded over
 * a target's own values: a WGSL identifier, a wasm SIMD local. Targets use it
 * to generate a composite node's code from the primitives of their rule
 * table, so a composite costs a target no code of its own; the
 * decompose-activations pass does the same on the IR with IR values.
 */
import { normalizeAttrs, type Attrs } from '../../ir/attrs.js';
import { allOps, getOp, type OpEmitter } from '../../ir/op.js';
import type { DType } from '../../ir/types.js';

/** Emits one primitive op of a decomposition: complete attributes, operand dtypes. */
export type PrimitiveEmitter<V> = (op: string, inputs: V[], dtypes: DType[], attrs: Attrs) => V;

/** The names of the composite elementwise ops, sorted. */
export function compositeOps(): string[] {
  return allOps()
    .filter((d) => d.elementwise && d.decompose)
    .map((d) => d.name);
}

interface Typed<V> {
  value: V;
  dtype: DType;
}

/** The result dtype of elementwise `op` on operands of these dtypes. */
function resultDtype(op: string, dtypes: DType[], attrs: Attrs): DType {
  return getOp(op).infer(dtypes.map((dtype) => ({ dtype, shape: [] })), attrs)[0].dtype;
}

function expandTyped<V>(op: string, inputs: Typed<V>[], attrs: Attrs, primitive: PrimitiveEmitter<V>): V {
  const decompose = getOp(op).decompose;
  if (!decompose) return primitive(op, inputs.map((v) => v.value), inputs.map((v) => v.dtype), attrs);
  const emit: OpEmitter<Typed<V>> = {
    op(name, operands, given = {}) {
      const full = normalizeAttrs(name, getOp(name).attrs, given);
      const dtype = resultDtype(name, operands.map((v) => v.dtype), full);
      return { value: expandTyped(name, operands, full, primitive), dtype };
    },
  };
  return decompose(inputs, attrs, emit).value;
}

/**
 * The value of `op` (complete attributes) on `inputs`: a primitive goes
 * straight to `primitive`, a composite through its decomposition, recursively,
 * so `primitive` only ever sees ops that have no decomposition.
 */
export function expandElementwise<V>(op: string, inputs: V[], dtypes: DType[], attrs: Attrs, primitive: PrimitiveEmitter<V>): V {
  return expandTyped(op, inputs.map((value, i) => ({ value, dtype: dtypes[i] })), attrs, primitive);
}

/** The primitive ops (with complete attributes) `op` is evaluated with: itself, or its decomposition's. */
export function primitivesOf(op: string, dtypes: DType[], attrs: Attrs): { op: string; attrs: Attrs }[] {
  const used: { op: string; attrs: Attrs }[] = [];
  expandElementwise<null>(op, dtypes.map(() => null), dtypes, attrs, (name, inputs, _dtypes, full) => {
    used.push({ op: name, attrs: full });
    return null;
  });
  return used;
}
