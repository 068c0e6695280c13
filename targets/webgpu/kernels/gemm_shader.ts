/**
 * The one tiled GEMM shader of the WebGPU target: per group g,
 * C[g][M, COLS] = A[g][M, K] x B[g][K, COLS], where the caller says how an
 * element of A and of B is read (WGSL function bodies), so a convolution is
 * an implicit GEMM whose A loads gather input pixels. A workgroup of 256
 * invocations computes one tile of C (64x64, or taller and narrower when C
 * has few columns, so fewer invocations compute padding), each invocation
 * 4x4 elements strided by the invocation grid (neighbouring invocations store
 * neighbouring columns); K advances through workgroup memory a slab at a time.
 * C is stored row-major, element ((g * M + row) * COLS + col), through an
 * optional epilogue function `(acc, idx) -> f32` of that index.
 *
 * The grid is one axis of tiles (folded by the runtime when large): column
 * tile fastest, then row tile, then group. Rows or groups (not both) may grow
 * with the batch N; with rows in N the tile count is over-provisioned by at
 * most one row of tiles, and workgroups past the end store nothing.
 */
import type { Affine } from '../../../compiler/plan/index.js';
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

/** An affine count as a u32 expression in `P.n`. */
function affineExpr(a: Affine): string {
  if (a.perBatch === 0) return `${a.base}u`;
  const scaled = a.perBatch === 1 ? 'P.n' : `P.n * ${a.perBatch}u`;
  return a.base === 0 ? `(${scaled})` : `(${a.base}u + ${scaled})`;
}

/** Workgroups for every (group, row tile, column tile). */
function tileGrid(spec: GemmSpec, tile: TileShape, colTiles: number): GridDim {
  const { rows, groups } = spec;
  if (rows.perBatch === 0) {
    const perGroup = Math.ceil(rows.base / tile.rows) * colTiles;
    return { base: groups.base * perGroup, perBatch: groups.perBatch * perGroup, per: 1 };
  }
  if (groups.perBatch !== 0) throw new Error(`${spec.label}: rows and groups of a GEMM cannot both grow with the batch`);
  // colTiles * ceil(M / T) <= ceil(colTiles * (M + T - 1) / T) per group.
  const scale = groups.base * colTiles;
  return { base: scale * (rows.base + tile.rows - 1), perBatch: scale * rows.perBatch, per: tile.rows };
}

function shaderBody(spec: GemmSpec, tile: TileShape, colTiles: number): string {
  const value = spec.apply ? `${spec.apply}(acc[i][j], idx)` : 'acc[i][j]';
  const across = tile.cols / PER_THREAD;
  const down = tile.rows / PER_THREAD;
  const bColumns = Array.from({ length: PER_THREAD }, (_, j) => `gemm_tile_b[at + tx${j === 0 ? '' : ` + ${j * across}u`}]`).join(', ');
  return `let rows = ${affineExpr(spec.rows)};
let row_tiles = max((rows + ${tile.rows - 1}u) / ${tile.rows}u, 1u);
let rest = wg / ${colTiles}u;
let g = rest / row_tiles;
// Uniform across the workgroup: every invocation reaches every barrier.
let live = g < ${affineExpr(spec.groups)};
let row0 = (rest % row_tiles) * ${tile.rows}u;
let col0 = (wg % ${colTiles}u) * ${tile.cols}u;
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

/** The dispatch computing C = A x B (per group) with the epilogue applied. */
export function gemmDispatch(spec: GemmSpec): GpuDispatch {
  const tile = tileFor(spec.cols);
  const colTiles = Math.max(1, Math.ceil(spec.cols / tile.cols));
  return {
    label: spec.label,
    bindings: spec.bindings,
    shader: {
      workgroupSize: [LANES],
      declarations: [
        `var<workgroup> gemm_tile_a: array<f32, ${tile.rows * tile.depth}>;`,
        `var<workgroup> gemm_tile_b: array<f32, ${tile.depth * tile.cols}>;`,
        `fn gemm_a(g: u32, row: u32, k: u32) -> f32 {\n${indent(spec.loadA)}\n}`,
        `fn gemm_b(g: u32, k: u32, col: u32) -> f32 {\n${indent(spec.loadB)}\n}`,
        ...(spec.declarations ?? []),
      ],
      body: shaderBody(spec, tile, colTiles),
    },
    grid: [tileGrid(spec, tile, colTiles)],
  };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
