/**
 * The one tiled GEMM shader of the WebGPU target: per group g,
 * C[g][M, COLS] = A[g][M, K] x B[g][K, COLS], where the caller says how an
 * element of A and of B is read (WGSL function bodies), so a convolution is
 * an implicit GEMM whose A loads gather input pixels. A workgroup of 256
 * invocations computes one tile of C (64x64, or taller and narrower when C
 * has few columns, so fewer invocations compute padding), each invocation
 * 4x4 elements strided by the invocation grid (neighbouring invocations store
 * neighbouring columns); K advances through workgroup memory a slab at a time.
 * When C has few rows per batch item (a Dense layer at a small batch, a small
 * static M) those tiles would compute mostly discarded rows, so a skinny tile
 * is chosen at build time instead (see skinnyBody): 4 rows by up to 256
 * columns, good at batch 1 and no worse than the tall tiles at batch 64.
 * C is stored row-major, element ((g * M + row) * COLS + col), through an
 * optional epilogue function `(acc, idx) -> f32` of that index.
 *
 * The grid is one axis of tiles (folded by the runtime when large): column
 * tile fastest, then row tile, then group. Rows or groups (not both) may grow
 * with the batch N; with rows in N the tile count is over-provisioned by at
 * most one row of tiles, and workgroups past the end store nothing.
 */
import type { Affine } from '../../../compiler/plan/index.js';
import { affineExpr } from '../shape_exprs.js';
import type { GpuBinding, GpuDispatch, GridDim } from './context.js';

/** Rows and columns per invocation: its accumulators are one vec4f of columns per row. */
const PER_THREAD = 4;
const LANES = 256;

/** A tile of C and the depth of the A / B slabs staged per step (at most 16 KiB of workgroup memory). */
interface TileShape {
  rows: number;
  cols: number;
  depth: number;
}

const TILES: readonly TileShape[] = [
  { rows: 256, cols: 16, depth: 8 },
  { rows: 128, cols: 32, depth: 16 },
  { rows: 64, cols: 64, depth: 16 },
];

/** The narrowest tile that still covers C's columns in one tile, else the square one. */
function tileFor(cols: number): TileShape {
  return TILES.find((t) => cols <= t.cols) ?? TILES[TILES.length - 1];
}

export interface GemmSpec {
  label: string;
  /** Rows M of each group's C, affine in N. */
  rows: Affine;
  cols: number;
  depth: number;
  /** Number of groups (batched matmul), affine in N; { base: 1 } for one GEMM. */
  groups: Affine;
  /** Every binding the load functions, the epilogue and the store use. */
  bindings: GpuBinding[];
  /** Body of `fn gemm_a(g: u32, row: u32, k: u32) -> f32`, called only with g, row and k in range. */
  loadA: string;
  /** Body of `fn gemm_b(g: u32, k: u32, col: u32) -> f32`, called only with g, k and col in range. */
  loadB: string;
  /** The binding C is stored to. */
  output: string;
  /** Module-scope declarations the epilogue needs (its function among them). */
  declarations?: string[];
  /** The epilogue function applied before the store: `fn <apply>(acc: f32, idx: u32) -> f32`. */
  apply?: string;
}

/** Workgroups for every (group, row tile, column tile). */
function tileGrid(spec: GemmSpec, tileRows: number, colTiles: number): GridDim {
  const { rows, groups } = spec;
  if (rows.perBatch === 0) {
    const perGroup = Math.ceil(rows.base / tileRows) * colTiles;
    return { base: groups.base * perGroup, perBatch: groups.perBatch * perGroup, per: 1 };
  }
  if (groups.perBatch !== 0) throw new Error(`${spec.label}: rows and groups of a GEMM cannot both grow with the batch`);
  // colTiles * ceil(M / T) <= ceil(colTiles * (M + T - 1) / T) per group.
  const scale = groups.base * colTiles;
  return { base: scale * (rows.base + tileRows - 1), perBatch: scale * rows.perBatch, per: tileRows };
}

function tiledBody(spec: GemmSpec, tile: TileShape, colTiles: number): string {
  const value = spec.apply ? `${spec.apply}(acc[i][j], idx)` : 'acc[i][j]';
  const across = tile.cols / PER_THREAD;
  const down = tile.rows / PER_THREAD;
  const bColumns = Array.from({ length: PER_THREAD }, (_, j) => `gemm_tile_b[at + tx${j === 0 ? '' : ` + ${j * across}u`}]`).join(', ');
  return `${tilePosition(spec, tile.rows, tile.cols, colTiles)}
let tx = lix % ${across}u;
let ty = lix / ${across}u;
var acc: array<vec4f, ${PER_THREAD}>;
for (var k0 = 0u; k0 < ${spec.depth}u; k0 += ${tile.depth}u) {
  // A slab: ${tile.depth} consecutive k of a row, stored k-major.
  for (var e = lix; e < ${tile.rows * tile.depth}u; e += ${LANES}u) {
    let r = e / ${tile.depth}u;
    let k = k0 + e % ${tile.depth}u;
    var a = 0.0;
    if (live && row0 + r < rows && k < ${spec.depth}u) {
      a = gemm_a(g, row0 + r, k);
    }
    gemm_tile_a[(e % ${tile.depth}u) * ${tile.rows}u + r] = a;
  }
  // B slab: ${tile.cols} consecutive columns of a k.
  for (var e = lix; e < ${tile.depth * tile.cols}u; e += ${LANES}u) {
    let c = e % ${tile.cols}u;
    let k = k0 + e / ${tile.cols}u;
    var b = 0.0;
    if (live && col0 + c < ${spec.cols}u && k < ${spec.depth}u) {
      b = gemm_b(g, k, col0 + c);
    }
    gemm_tile_b[e] = b;
  }
  workgroupBarrier();
  for (var kk = 0u; kk < ${tile.depth}u; kk++) {
    let at = kk * ${tile.cols}u;
    let b = vec4f(${bColumns});
    for (var i = 0u; i < ${PER_THREAD}u; i++) {
      acc[i] += gemm_tile_a[kk * ${tile.rows}u + ty + i * ${down}u] * b;
    }
  }
  workgroupBarrier();
}
for (var i = 0u; i < ${PER_THREAD}u; i++) {
  let row = row0 + ty + i * ${down}u;
  for (var j = 0u; j < ${PER_THREAD}u; j++) {
    let col = col0 + tx + j * ${across}u;
    if (live && row < rows && col < ${spec.cols}u) {
      let idx = (g * rows + row) * ${spec.cols}u + col;
      ${spec.output}[idx] = ${value};
    }
  }
}`;
}

/** The first statements of both bodies: which group, row tile and column tile this workgroup computes. */
function tilePosition(spec: GemmSpec, tileRows: number, tileCols: number, colTiles: number): string {
  return `let rows = ${affineExpr(spec.rows)};
let row_tiles = max((rows + ${tileRows - 1}u) / ${tileRows}u, 1u);
let rest = wg / ${colTiles}u;
let g = rest / row_tiles;
// Uniform across the workgroup: every invocation reaches every barrier.
let live = g < ${affineExpr(spec.groups)};
let row0 = (rest % row_tiles) * ${tileRows}u;
let col0 = (wg % ${colTiles}u) * ${tileCols}u;`;
}

/**
 * The skinny tile: SKINNY_ROWS rows (one vec4 accumulator per column) by
 * SKINNY_LANES * columnsPerLane columns. Each step stages SKINNY_LANES values
 * of k (one per invocation, the 4 rows as a vec4), then every invocation
 * multiplies them into its columns with B read straight from storage: B has
 * no reuse across invocations here, only across the 4 rows.
 */
const SKINNY_ROWS = 4;
const SKINNY_LANES = 64;

/** C rows at batch 1 up to which the skinny tile is chosen (the batch is known only at run time). */
const SKINNY_MAX_ROWS = 16;

/**
 * Columns per invocation of the skinny tile: as few as cover C in one tile, at
 * most 4 (on SwiftShader, 4 ran the 784-512-512-10 MLP fastest at batch 1 and 64).
 */
function skinnyColumnsPerLane(cols: number): number {
  return Math.min(4, Math.ceil(cols / SKINNY_LANES));
}

function skinnyBody(spec: GemmSpec, columnsPerLane: number, colTiles: number): string {
  const value = spec.apply ? `${spec.apply}(acc[j][i], idx)` : 'acc[j][i]';
  const stage = Array.from({ length: SKINNY_ROWS }, (_, i) => `  if (row0 + ${i}u < rows && k < ${spec.depth}u) {\n    a[${i}] = gemm_a(g, row0 + ${i}u, k);\n  }`);
  return `${tilePosition(spec, SKINNY_ROWS, SKINNY_LANES * columnsPerLane, colTiles)}
var acc: array<vec4f, ${columnsPerLane}>;
let k_end = select(0u, ${spec.depth}u, live);
for (var k0 = 0u; k0 < k_end; k0 += ${SKINNY_LANES}u) {
  // A slab: the 4 rows at k0 + lix.
  let k = k0 + lix;
  var a = vec4f();
${stage.join('\n')}
  gemm_slab_a[lix] = a;
  workgroupBarrier();
  let steps = min(${SKINNY_LANES}u, ${spec.depth}u - k0);
  for (var kk = 0u; kk < steps; kk++) {
    let a_k = gemm_slab_a[kk];
    for (var j = 0u; j < ${columnsPerLane}u; j++) {
      // Columns past C read its last column; their sums are not stored.
      let col = min(col0 + lix + j * ${SKINNY_LANES}u, ${spec.cols - 1}u);
      acc[j] += a_k * gemm_b(g, k0 + kk, col);
    }
  }
  workgroupBarrier();
}
for (var j = 0u; j < ${columnsPerLane}u; j++) {
  let col = col0 + lix + j * ${SKINNY_LANES}u;
  for (var i = 0u; i < ${SKINNY_ROWS}u; i++) {
    let row = row0 + i;
    if (live && row < rows && col < ${spec.cols}u) {
      let idx = (g * rows + row) * ${spec.cols}u + col;
      ${spec.output}[idx] = ${value};
    }
  }
}`;
}

interface GemmShape {
  lanes: number;
  tileRows: number;
  tileCols: number;
  workgroupArrays: string[];
  body(colTiles: number): string;
}

/** The skinny tile when C has few rows per batch item (Dense at a small batch, a small static M), else the tiled one. */
function gemmShape(spec: GemmSpec): GemmShape {
  if (spec.rows.base + spec.rows.perBatch <= SKINNY_MAX_ROWS) {
    const columnsPerLane = skinnyColumnsPerLane(spec.cols);
    return {
      lanes: SKINNY_LANES,
      tileRows: SKINNY_ROWS,
      tileCols: SKINNY_LANES * columnsPerLane,
      workgroupArrays: [`var<workgroup> gemm_slab_a: array<vec4f, ${SKINNY_LANES}>;`],
      body: (colTiles) => skinnyBody(spec, columnsPerLane, colTiles),
    };
  }
  const tile = tileFor(spec.cols);
  return {
    lanes: LANES,
    tileRows: tile.rows,
    tileCols: tile.cols,
    workgroupArrays: [
      `var<workgroup> gemm_tile_a: array<f32, ${tile.rows * tile.depth}>;`,
      `var<workgroup> gemm_tile_b: array<f32, ${tile.depth * tile.cols}>;`,
    ],
    body: (colTiles) => tiledBody(spec, tile, colTiles),
  };
}

/** The dispatch computing C = A x B (per group) with the epilogue applied. */
export function gemmDispatch(spec: GemmSpec): GpuDispatch {
  const shape = gemmShape(spec);
  const colTiles = Math.max(1, Math.ceil(spec.cols / shape.tileCols));
  return {
    label: spec.label,
    bindings: spec.bindings,
    shader: {
      workgroupSize: [shape.lanes],
      declarations: [
        ...shape.workgroupArrays,
        `fn gemm_a(g: u32, row: u32, k: u32) -> f32 {\n${indent(spec.loadA)}\n}`,
        `fn gemm_b(g: u32, k: u32, col: u32) -> f32 {\n${indent(spec.loadB)}\n}`,
        ...(spec.declarations ?? []),
      ],
      body: shape.body(colTiles),
    },
    grid: [tileGrid(spec, shape.tileRows, colTiles)],
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
