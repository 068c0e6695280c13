/** The compiler's public API. */
import './ops/index.js';

export * from './ir/types.js';
export * from './ir/tensor.js';
export * from './ir/attrs.js';
export * from './ir/errors.js';
export { Graph, type Value, type Node, type GraphOutput } from './ir/graph.js';
export { GraphBuilder } from './ir/builder.js';
export { getOp, allOps, registerOp, type OpDef, type RefContext } from './ir/op.js';
export { printGraph } from './ir/printer.js';
export { parseGraph } from './ir/parser.js';
export { verifyGraph, VerifyError } from './ir/verifier.js';
export { interpret, InputMismatchError } from './interpreter/interpreter.js';
export * from './frontend/dsl/index.js';
