/**
 * Typed reads of a node's attributes, with ONNX's defaults; a missing
 * required attribute or one of the wrong type is an error naming it.
 */
import type { Known, OnnxAttribute, OnnxNode } from './model.js';

type Typed<T extends OnnxAttribute['type']> = Extract<OnnxAttribute, { type: T }>['value'];

function read<T extends OnnxAttribute['type']>(node: OnnxNode, name: string, type: T): Typed<T> | undefined {
  const a = node.attributes.get(name);
  if (!a) return undefined;
  if (a.type !== type) throw new Error(`attribute '${name}' is ${a.type}, expected ${type}`);
  return a.value as Typed<T> | undefined;
}

function required<V>(v: V | undefined, name: string): V {
  if (v === undefined) throw new Error(`attribute '${name}' is required`);
  return v;
}

export function attrInt(node: OnnxNode, name: string, fallback?: number): number {
  return required(read(node, name, 'INT') ?? fallback, name);
}

export function attrFloat(node: OnnxNode, name: string, fallback?: number): number {
  return required(read(node, name, 'FLOAT') ?? fallback, name);
}

export function attrString(node: OnnxNode, name: string, fallback?: string): string {
  return required(read(node, name, 'STRING') ?? fallback, name);
}

export function attrInts(node: OnnxNode, name: string, fallback?: readonly number[]): readonly number[] {
  return required(read(node, name, 'INTS') ?? fallback, name);
}

export function attrFloats(node: OnnxNode, name: string, fallback?: readonly number[]): readonly number[] {
  return required(read(node, name, 'FLOATS') ?? fallback, name);
}

export function attrTensor(node: OnnxNode, name: string): Known | undefined {
  return read(node, name, 'TENSOR');
}

export function hasAttr(node: OnnxNode, name: string): boolean {
  return node.attributes.has(name);
}
