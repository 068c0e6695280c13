/**
 * Builds the IR graph of a decoded ONNX model: one graph input per model
 * input that is not an initializer, initializers as build-time values, each
 * node converted by its op's converter in file order, the model's outputs
 * under their ONNX names. The graph keeps ONNX's layouts; the pass pipeline
 * (transpose sinking) moves the layout changes the converters insert.
 */
import '../../ops/index.js';
import './ops/index.js';
import path from 'node:path';
import { GraphBuilder } from '../../ir/builder.js';
import type { Graph } from '../../ir/graph.js';
import type { DType, Dim } from '../../ir/types.js';
import { ImportContext, known } from './context.js';
import { OnnxImportError } from './errors.js';
import type { OnnxDataType, OnnxModel, OnnxNode, OnnxValueInfo } from './model.js';
import { onnxConverter } from './ops/registry.js';

export interface OnnxImportOptions {
  /** Static shapes for inputs by name (`--input-shape name=1x3x224x224`); they replace the declared shape. */
  inputShapes?: ReadonlyMap<string, readonly number[]>;
}

/** The oldest and newest ai.onnx operator sets the converters are written against. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 23;

export function importOnnxModel(model: OnnxModel, options: OnnxImportOptions = {}): Graph {
  const opset = defaultOpset(model);
  const graphName = model.graph.name || path.basename(model.file, path.extname(model.file));
  const b = new GraphBuilder(graphName);
  const ctx = new ImportContext(b, model, opset);
  const { graph } = model;

  for (const [name, k] of graph.initializers) ctx.define(name, known(k));
  const modelInputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  checkBoundNames(model, modelInputs, options.inputShapes);
  for (const info of modelInputs) {
    const dtype = inputDType(model, info);
    const shape = inputShape(model, info, options.inputShapes?.get(info.name));
    const v = b.input(info.name, { dtype, shape });
    ctx.define(info.name, { kind: 'value', value: v });
  }

  const used = usedNames(model);
  for (const node of graph.nodes) convertNode(ctx, node, used);

  for (const out of graph.outputs) {
    if (!ctx.has(out.name)) throw new OnnxImportError(`${model.file}: graph output '${out.name}' is not computed by any node`);
    b.output(out.name, ctx.value(ctx.get(out.name)));
  }
  return b.graph;
}

function defaultOpset(model: OnnxModel): number {
  const version = model.opsets.get('') ?? model.opsets.get('ai.onnx');
  if (version === undefined) throw new OnnxImportError(`${model.file}: the model imports no version of the default ONNX operator set`);
  if (version < MIN_OPSET || version > MAX_OPSET) {
    throw new OnnxImportError(`${model.file}: ONNX opset ${version} is not supported (tfc reads opsets ${MIN_OPSET} to ${MAX_OPSET})`);
  }
  return version;
}

function where(ctx: ImportContext, node: OnnxNode): string {
  return `${ctx.model.file}: node '${node.name}' (${node.opType}, opset ${ctx.opset})`;
}

function convertNode(ctx: ImportContext, node: OnnxNode, used: ReadonlySet<string>): void {
  if (node.domain !== '' && node.domain !== 'ai.onnx') {
    throw new OnnxImportError(`${where(ctx, node)}: operators of domain '${node.domain}' are not supported`);
  }
  const convert = onnxConverter(node.opType);
  if (!convert) throw new OnnxImportError(`${where(ctx, node)}: ONNX op '${node.opType}' is not supported`);
  let results;
  try {
    results = convert(ctx, node);
  } catch (e) {
    if (e instanceof OnnxImportError) throw e;
    throw new OnnxImportError(`${where(ctx, node)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  node.outputs.forEach((name, k) => {
    if (name === '') return;
    const result = results[k];
    if (result) ctx.define(name, result);
    else if (used.has(name)) throw new OnnxImportError(`${where(ctx, node)}: output ${k} ('${name}') is not supported`);
  });
}

function usedNames(model: OnnxModel): Set<string> {
  const used = new Set(model.graph.outputs.map((o) => o.name));
  for (const node of model.graph.nodes) for (const name of node.inputs) used.add(name);
  return used;
}

const INTEGER_TYPES: readonly OnnxDataType[] = ['INT8', 'UINT8', 'INT16', 'UINT16', 'INT32', 'INT64', 'UINT32', 'UINT64'];

function inputDType(model: OnnxModel, info: OnnxValueInfo): DType {
  const t = info.elemType;
  if (t === 'FLOAT' || t === 'FLOAT16' || t === 'DOUBLE') return 'f32';
  if (t !== undefined && INTEGER_TYPES.includes(t)) return 'i32';
  if (t === 'BOOL') return 'bool';
  throw new OnnxImportError(`${model.file}: input '${info.name}' has element type ${t ?? 'undeclared'}, which tfc does not support`);
}

function formatDeclared(shape: readonly (number | string | undefined)[]): string {
  return `[${shape.map((d) => (d === undefined ? '?' : String(d))).join(',')}]`;
}

/**
 * A declared shape made static except for a symbolic leading (batch) size,
 * which becomes `N`; `bound` (from --input-shape) fixes every size instead.
 */
function inputShape(model: OnnxModel, info: OnnxValueInfo, bound: readonly number[] | undefined): Dim[] {
  const declared = info.shape;
  const fix = `give its shape with --input-shape ${info.name}=<d0>x<d1>x...`;
  if (bound) {
    if (declared && declared.length !== bound.length) {
      throw new OnnxImportError(`${model.file}: input '${info.name}' has rank ${declared.length} ${formatDeclared(declared)}, but --input-shape gives ${bound.length} sizes`);
    }
    declared?.forEach((d, i) => {
      if (typeof d === 'number' && d > 0 && d !== bound[i]) {
        throw new OnnxImportError(`${model.file}: input '${info.name}' has size ${d} in dimension ${i} ${formatDeclared(declared)}, but --input-shape gives ${bound[i]}`);
      }
    });
    return [...bound];
  }
  if (!declared) throw new OnnxImportError(`${model.file}: input '${info.name}' declares no shape; ${fix}`);
  return declared.map((d, i) => {
    if (typeof d === 'number' && d > 0) return d;
    if (i === 0) return 'N';
    const name = typeof d === 'string' && d !== '' ? `'${d}'` : 'an unknown size';
    throw new OnnxImportError(
      `${model.file}: input '${info.name}' ${formatDeclared(declared)} has ${name} in dimension ${i}; only the first (batch) dimension may be symbolic — ${fix}`,
    );
  });
}

function checkBoundNames(model: OnnxModel, inputs: readonly OnnxValueInfo[], bound: ReadonlyMap<string, readonly number[]> | undefined): void {
  for (const name of bound?.keys() ?? []) {
    if (!inputs.some((i) => i.name === name)) {
      throw new OnnxImportError(`${model.file}: --input-shape names '${name}', but the model's inputs are ${inputs.map((i) => `'${i.name}'`).join(', ')}`);
    }
  }
}
