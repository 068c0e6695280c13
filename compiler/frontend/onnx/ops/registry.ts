/**
 * ONNX op converters by op type. A converter turns one ONNX node into IR
 * nodes (or, for shape computations, into build-time `Known` values) and
 * returns one value per node output (extra omitted outputs may be left out).
 * It reads `ctx.opset` where an op's semantics changed between opsets, and
 * throws a plain Error naming the attribute or input at fault: the importer
 * adds the file, node, op and opset.
 */
import type { ImportContext, OnnxValue } from '../context.js';
import type { OnnxNode } from '../model.js';

export type OnnxConverter = (ctx: ImportContext, node: OnnxNode) => OnnxValue[];

const converters = new Map<string, OnnxConverter>();

export function defineOnnxOp(opTypes: string | readonly string[], convert: OnnxConverter): void {
  for (const opType of typeof opTypes === 'string' ? [opTypes] : opTypes) {
    if (converters.has(opType)) throw new Error(`ONNX op '${opType}' is defined twice`);
    converters.set(opType, convert);
  }
}

export function onnxConverter(opType: string): OnnxConverter | undefined {
  return converters.get(opType);
}

/** Every ONNX op type the importer converts, sorted. */
export function supportedOnnxOps(): string[] {
  return [...converters.keys()].sort();
}
