/**
 * Table-driven definitions of elementwise ops: one spec per op (a scalar
 * function plus dtypes and attributes) becomes a full OpDef here, so shape
 * inference, dtype checks and the reference loop are written once.
 */
import { formatAttrValue, type AttrSchema, type Attrs } from '../../ir/attrs.js';
import { IRError } from '../../ir/errors.js';
import { registerOp, type OpDef } from '../../ir/op.js';
import { allocData, type Tensor } from '../../ir/tensor.js';
import type { DType, Shape, TensorType } from '../../ir/types.js';
import { broadcastIndexMap, broadcastShapes, broadcastStatic } from '../util.js';

/** Throws an IRError unless `t` has one of the allowed dtypes; `what` names the operand. */
export function requireDType(t: TensorType, allowed: readonly DType[], what: string): void {
  if (!allowed.includes(t.dtype)) {
    throw new IRError(`${what} must be ${allowed.join(' or ')}, got ${t.dtype}`);
  }
}

/** The example IR line of an op's doc, with the given attributes or the schema defaults. */
function exampleLine(name: string, operands: string[], schema: AttrSchema, example: Attrs, resultType: string): string {
  const attrs = Object.entries(schema).map(([k, spec]) => `${k}=${formatAttrValue(example[k] ?? spec.default ?? 0)}`);
  const attrText = attrs.length ? ` {${attrs.join(', ')}}` : '';
  return `    %1 = ${name}(${operands.join(', ')})${attrText} : ${resultType}`;
}

export interface UnarySpec {
  name: string;
  /** What the op computes, in words or a formula. */
  doc: string;
  /** The scalar function, given the node's complete attributes. */
  fn: (x: number, attrs: Attrs) => number;
  attrs?: AttrSchema;
  /** Values for required attributes in the doc's example. */
  example?: Attrs;
  /** Accepted operand dtypes; f32 only when absent. */
  dtypes?: readonly DType[];
  /** Result dtype; the operand's when absent. */
  result?: (operand: DType, attrs: Attrs) => DType;
  /** Attribute checks beyond their kinds. */
  verify?: (attrs: Attrs) => void;
  /** True when the result is the operand unchanged (see OpDef.view). */
  view?: boolean;
  /** The op as other elementwise ops, for a composite activation (see OpDef.decompose). */
  decompose?: OpDef['decompose'];
}

export function defineUnary(spec: UnarySpec): void {
  const dtypes = spec.dtypes ?? ['f32'];
  const resultOf = spec.result ?? ((d: DType) => d);
  const schema = spec.attrs ?? {};
  const example = spec.example ?? {};
  const exampleType = `${resultOf(dtypes[0], { ...example })}[N,8]`;
  registerOp({
    name: spec.name,
    doc: `${spec.doc}\n\n${exampleLine(spec.name, ['%0'], schema, example, exampleType)}`,
    attrs: schema,
    arity: 1,
    elementwise: 'unary',
    view: spec.view,
    decompose: spec.decompose,
    infer([x], attrs) {
      requireDType(x, dtypes, 'the operand');
      return [{ dtype: resultOf(x.dtype, attrs), shape: [...x.shape] }];
    },
    verify: spec.verify ? (_inputs, attrs) => spec.verify?.(attrs) : undefined,
    reference([x], attrs): Tensor[] {
      const dtype = resultOf(x.dtype, attrs);
      const out = allocData(dtype, x.data.length);
      for (let i = 0; i < out.length; i++) out[i] = spec.fn(x.data[i], attrs);
      return [{ dtype, shape: [...x.shape], data: out }];
    },
  });
}

/** NumPy broadcasting of any number of shapes (`N` broadcasts with 1 and with N). */
export function broadcastAll(shapes: Shape[]): Shape {
  return shapes.reduce((acc, s) => broadcastShapes(acc, s));
}

export interface BinarySpec {
  name: string;
  doc: string;
  fn: (a: number, b: number) => number;
  /** Used instead of `fn` on i32 operands, where doubles would not wrap like int32 (mul). */
  intFn?: (a: number, b: number) => number;
  dtypes: readonly DType[];
  /** `bool` for comparisons; otherwise the result has the operands' dtype. */
  result?: 'bool';
}

export function defineBinary(spec: BinarySpec): void {
  const resultOf = (d: DType): DType => spec.result ?? d;
  registerOp({
    name: spec.name,
    doc: `${spec.doc} NumPy broadcasting; operand dtypes must match.\n\n${exampleLine(spec.name, ['%a', '%b'], {}, {}, `${resultOf(spec.dtypes[0])}[N,4,8]`)}`,
    attrs: {},
    arity: 2,
    elementwise: 'binary',
    infer([a, b]) {
      requireDType(a, spec.dtypes, 'the first operand');
      if (b.dtype !== a.dtype) throw new IRError(`operand dtypes differ (${a.dtype} and ${b.dtype})`);
      return [{ dtype: resultOf(a.dtype), shape: broadcastAll([a.shape, b.shape]) }];
    },
    reference([a, b]): Tensor[] {
      const fn = a.dtype === 'i32' && spec.intFn ? spec.intFn : spec.fn;
      const shape = broadcastStatic(a.shape, b.shape);
      const ia = broadcastIndexMap(a.shape, shape);
      const ib = broadcastIndexMap(b.shape, shape);
      const dtype = resultOf(a.dtype);
      const out = allocData(dtype, ia.length);
      for (let i = 0; i < out.length; i++) out[i] = fn(a.data[ia[i]], b.data[ib[i]]);
      return [{ dtype, shape, data: out }];
    },
  });
}
