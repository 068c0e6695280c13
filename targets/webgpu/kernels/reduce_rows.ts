/**
 * The row view shared by reductions, softmax, argmax and layer_norm: the
 * tensor is seen as `rows` (the kept axes, row-major) of `length` elements
 * (the reduced axes, row-major), for any set of reduced axes, the batch N
 * included. Size-1 axes are dropped and neighbouring axes of the same kind
 * merged, so contiguous axes become the familiar [outer, reduced, inner]:
 * element k of row r sits at `row_start(r) + elem_offset(k)`.
 *
 * A row is handled by one invocation with a plain loop when it is short
 * (known at build time), else by one workgroup whose invocations each fold a
 * strided part of the row and then combine their partial results by a tree
 * in workgroup memory (`across`).
 */
import type { Affine } from '../../../compiler/plan/index.js';
import type { Dim, Shape } from '../../../compiler/ir/types.js';
import { countAffine, productExpr } from '../shape_exprs.js';
import type { GpuBinding, GpuDispatch } from './context.js';

/** Rows shorter than this are looped over by one invocation each. */
const SHORT_ROW = 64;
/**
 * Rows up to this length use 64-invocation workgroups, longer ones 256. Rows
 * whose length is a multiple of N (a reduction over the batch axis) take 64:
 * batches are usually small.
 */
const MEDIUM_ROW = 512;
/** Invocations per workgroup when every invocation owns a row. */
const ROW_LANES = 64;

/** Consecutive axes (size-1 axes dropped) that are all reduced or all kept. */
interface Run {
  dims: Dim[];
  /** The axis after the run's last one: the run's stride is the product of the dims from there. */
  end: number;
  reduced: boolean;
}

function runsOf(shape: Shape, reduced: ReadonlySet<number>): Run[] {
  const runs: Run[] = [];
  shape.forEach((d, axis) => {
    if (d === 1) return;
    const isReduced = reduced.has(axis);
    const last = runs[runs.length - 1];
    if (last && last.reduced === isReduced) {
      last.dims.push(d);
      last.end = axis + 1;
    } else {
      runs.push({ dims: [d], end: axis + 1, reduced: isReduced });
    }
  });
  return runs;
}

const scaled = (value: string, stride: string): string => (stride === '1u' ? value : `${value} * ${stride}`);

/** A WGSL function mapping a row-major index over `runs` to the element offset in `shape`. */
function offsetFunction(name: string, runs: readonly Run[], shape: Shape): string {
  const stride = (run: Run): string => productExpr(shape.slice(run.end));
  if (runs.length === 0) return `fn ${name}(index: u32) -> u32 {\n  return 0u;\n}`;
  if (runs.length === 1) return `fn ${name}(index: u32) -> u32 {\n  return ${scaled('index', stride(runs[0]))};\n}`;
  const lines = [`fn ${name}(index: u32) -> u32 {`, '  var rest = index;', '  var at = 0u;'];
  for (let j = runs.length - 1; j > 0; j--) {
    const size = productExpr(runs[j].dims);
    lines.push(`  at += ${scaled(`(rest % ${size})`, stride(runs[j]))};`, `  rest = rest / ${size};`);
  }
  lines.push(`  return at + ${scaled('rest', stride(runs[0]))};`, '}');
  return lines.join('\n');
}

export interface RowView {
  /** Number of rows as a WGSL u32 expression, and affine in N for the grid. */
  rows: string;
  rowsAffine: Affine;
  /** Elements per row as a WGSL u32 expression; `staticLength` when it does not depend on N. */
  length: string;
  staticLength: number | undefined;
  /** `row_start(row)` and `elem_offset(k)`. */
  declarations: string[];
}

/** The row view of `shape` reducing the axes in `reduced` (non-negative axis numbers). */
export function rowView(shape: Shape, reduced: ReadonlySet<number>): RowView {
  const runs = runsOf(shape, reduced);
  const kept = runs.filter((r) => !r.reduced);
  const red = runs.filter((r) => r.reduced);
  const keptDims = kept.flatMap((r) => r.dims);
  const redDims = red.flatMap((r) => r.dims);
  return {
    rows: productExpr(keptDims),
    rowsAffine: countAffine(keptDims),
    length: productExpr(redDims),
    staticLength: redDims.includes('N') ? undefined : redDims.reduce<number>((p, d) => p * (d as number), 1),
    declarations: [offsetFunction('row_start', kept, shape), offsetFunction('elem_offset', red, shape)],
  };
}

/**
 * Builds the shader of a row kernel. The body runs inside a guard on the row
 * with `row` and `start` (= row_start(row)) in scope; it walks its elements
 * with `eachElement` and combines per-invocation values with `across`.
 */
export class RowKernel {
  /** Invocations per row: 1 (one row per invocation) or the workgroup size. */
  readonly lanes: number;

  constructor(readonly view: RowView) {
    const n = view.staticLength;
    if (n === undefined) this.lanes = 64;
    else this.lanes = n < SHORT_ROW ? 1 : n <= MEDIUM_ROW ? 64 : 256;
  }

  /** The input offset of element `k` of the current row. */
  at(k: string): string {
    return `start + elem_offset(${k})`;
  }

  /** A loop running `body` for this invocation's share of the row's elements, index `k`. */
  eachElement(body: string): string {
    const first = this.lanes === 1 ? '0u' : 'lix';
    return `for (var k = ${first}; k < ${this.view.length}; k += ${this.lanes}u) {\n${indent(body)}\n}`;
  }

  /** Workgroup memory for `across` over values of `type` (none when a row has one invocation). */
  shared(name: string, type: string): string[] {
    return this.lanes === 1 ? [] : [`var<workgroup> ${name}: array<${type}, ${this.lanes}>;`];
  }

  /**
   * Statements that leave in every invocation's `v` the combination, by the
   * WGSL function `combine`, of all invocations' `v` (through `shared`).
   * It contains barriers: call it where control flow is uniform (not inside eachElement or a branch on data).
   */
  across(v: string, shared: string, combine: string): string {
    if (this.lanes === 1) return '';
    return [
      `${shared}[lix] = ${v};`,
      'workgroupBarrier();',
      `for (var s = ${this.lanes / 2}u; s > 0u; s = s >> 1u) {`,
      '  if (lix < s) {',
      `    ${shared}[lix] = ${combine}(${shared}[lix], ${shared}[lix + s]);`,
      '  }',
      '  workgroupBarrier();',
      '}',
      `${v} = ${shared}[0];`,
      // Nobody may overwrite `shared` before every invocation has read the total.
      'workgroupBarrier();',
    ].join('\n');
  }

  /** `statement` run by one invocation per row. */
  once(statement: string): string {
    return this.lanes === 1 ? statement : `if (lix == 0u) {\n${indent(statement)}\n}`;
  }

  dispatch(label: string, bindings: GpuBinding[], declarations: string[], body: string): GpuDispatch {
    const perRow = this.lanes > 1;
    // With a workgroup per row, `row` is workgroup-uniform, so the guard keeps the barriers in uniform control flow.
    const guarded = [`let row = ${perRow ? 'wg' : 'gi'};`, `if (row < ${this.view.rows}) {`, '  let start = row_start(row);', indent(body), '}'];
    return {
      label,
      bindings,
      shader: {
        workgroupSize: [perRow ? this.lanes : ROW_LANES],
        declarations: [...this.view.declarations, ...declarations],
        body: guarded.join('\n'),
      },
      grid: [{ ...this.view.rowsAffine, per: perRow ? 1 : ROW_LANES }],
    };
  }
}

/** Indents every non-empty line of WGSL statements by two spaces. */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `  ${line}`))
    .join('\n');
}
