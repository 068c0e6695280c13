/**
 * An ONNX model as the importer sees it: the protobuf decoded (proto.ts) into
 * plain typed objects, tensors already turned into `Known` values. Nothing
 * here depends on protobufjs.
 */
import type { Dim } from '../../ir/types.js';

/** Element types, as ONNX's `TensorProto.DataType` enum names them. */
export type OnnxDataType =
  | 'FLOAT'
  | 'UINT8'
  | 'INT8'
  | 'UINT16'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'STRING'
  | 'BOOL'
  | 'FLOAT16'
  | 'DOUBLE'
  | 'UINT32'
  | 'UINT64'
  | 'COMPLEX64'
  | 'COMPLEX128'
  | 'BFLOAT16'
  | 'OTHER';

/**
 * A tensor whose value is known at build time: an initializer, a `Constant`,
 * or a folded shape computation. Every ONNX element type maps to one of three
 * kinds. Integers are JS numbers; an int64 beyond ±2^53 is ±Infinity (only
 * "to the end" Slice bounds use such values); `'N'` in an int tensor is the
 * symbolic batch size (what `Shape` of a batch-N value yields).
 */
export type Known =
  | { readonly kind: 'float'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly kind: 'int'; readonly shape: readonly number[]; readonly data: readonly Dim[] }
  | { readonly kind: 'bool'; readonly shape: readonly number[]; readonly data: Uint8Array };

export type OnnxAttribute =
  | { readonly type: 'FLOAT'; readonly value: number }
  | { readonly type: 'INT'; readonly value: number }
  | { readonly type: 'STRING'; readonly value: string }
  | { readonly type: 'TENSOR'; readonly value: Known }
  | { readonly type: 'GRAPH'; readonly value: OnnxGraph }
  | { readonly type: 'FLOATS'; readonly value: readonly number[] }
  | { readonly type: 'INTS'; readonly value: readonly number[] }
  | { readonly type: 'STRINGS'; readonly value: readonly string[] }
  | { readonly type: 'OTHER'; readonly value: string };

export interface OnnxNode {
  /** The node's name; ONNX allows empty names, the decoder then names it `<OpType>_<index>`. */
  readonly name: string;
  readonly opType: string;
  /** '' (or 'ai.onnx') is the default operator set. */
  readonly domain: string;
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

/** A graph input's / output's declared type; a dim is a size, a symbolic name (`dim_param`), or undefined (unknown). */
export interface OnnxValueInfo {
  readonly name: string;
  /** Undefined when the model does not declare it. */
  readonly elemType?: OnnxDataType;
  /** Undefined when the model declares no shape (not even a rank). */
  readonly shape?: readonly (number | string | undefined)[];
}

export interface OnnxGraph {
  readonly name: string;
  /** In the file's order (ONNX requires topological order). */
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, Known>;
  /** Declared inputs; before IR version 4 they also list the initializers. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  /** Path of the file it was read from, for messages. */
  readonly file: string;
  readonly irVersion: number;
  readonly producer: string;
  /** Operator-set version by domain; '' is the default (ai.onnx) domain. */
  readonly opsets: ReadonlyMap<string, number>;
  readonly graph: OnnxGraph;
}
