/**
 * Emits C[M,N] = A[M,K] · B[K,N] (+ epilogue) as one WASM function built with
 * binaryen, for a constant B packed at build time (see pack.ts). K and N are
 * build-time constants, so every address inside a tile is a constant offset
 * from one A pointer and one B pointer; M (the batch) is a runtime argument.
 *
 * Structure (MR x NR register blocking, f32x4 accumulators):
 *   for each block of MR rows (then one block of the M % MR leftover rows):
 *     for each panel of NR columns (the last one may be partial):
 *       acc[MR][NR/4] = 0
 *       for k (unrolled kUnroll times): b = B panel row k; acc[i] += splat(A[i,k]) * b
 *       C[rows, panel] = epilogue(acc)
 * Tiles with fewer rows than MR (the leftover rows, or M=1 for a batch-1
 * Dense) walk several panels at once, so they still have enough independent
 * accumulators to hide the add latency.
 *
 * The function is `(a: i32, b: i32, c: i32, m: i32) -> ()`; a, b, c are byte
 * addresses in linear memory of row-major A, packed B and row-major C.
 */
import { binaryen, f32x4MulAdd, type Expr, type Module } from '../binaryen.js';
import type { Epilogue } from './epilogue.js';
import { panelLayout, type PanelLayout } from './pack.js';

export interface GemmSpec {
  k: number;
  n: number;
  /** Rows per register tile. */
  mr: number;
  /** Columns per panel, a multiple of 4 (must match the packing). */
  nr: number;
  /** k steps per iteration of the K loop. */
  kUnroll: number;
  /** Use f32x4.relaxed_madd (the module must enable relaxed SIMD). */
  relaxedSimd: boolean;
  /** Floats between consecutive rows of A; defaults to k. */
  lda?: number;
  /** Floats between consecutive rows of C; defaults to n. */
  ldc?: number;
  epilogue?: Epilogue;
}

/**
 * The default tiling, chosen by bench/gemm.ts (see bench/RESULTS.md). 4x8 holds
 * 8 accumulators + 2 B vectors + 1 A splat + 1 product in V8's 15 allocatable
 * XMM registers; 8 independent adds cover the add latency. The K loop is not
 * unrolled: binaryen's optimizer merges consecutive k steps into one
 * expression per accumulator, which keeps every step's B vectors live at once
 * and makes V8 spill (unroll 4 runs at half speed).
 */
export const DEFAULT_TILE = { mr: 4, nr: 8, kUnroll: 1 } as const;

const F32 = 4;
const PARAM_A = 0;
const PARAM_B = 1;
const PARAM_C = 2;
const PARAM_M = 3;

/** Hands out WASM locals after the four parameters. */
class LocalPool {
  readonly types: binaryen.Type[] = [];
  add(type: binaryen.Type): number {
    this.types.push(type);
    return PARAM_M + this.types.length;
  }
}

interface TileShape {
  rows: number;
  /** Panels computed together. */
  panels: number;
  /** Columns stored from the last panel when it is partial, else null. */
  edgeCols: number | null;
}

class GemmEmitter {
  private readonly m: Module;
  private readonly layout: PanelLayout;
  private readonly lda: number;
  private readonly ldc: number;
  private readonly vecs: number;
  private readonly panelBytes: number;
  readonly locals = new LocalPool();
  // Pointers and counters.
  private readonly row: number;
  private readonly aRow: number;
  private readonly cRow: number;
  private readonly bPanel: number;
  private readonly cTile: number;
  private readonly col: number;
  private readonly aK: number;
  private readonly bK: number;
  private readonly end: number;
  private readonly kEnd: number;
  // Vector registers: accumulators [row][panel][vec], B vectors [panel][vec], one A splat.
  private readonly acc: number[][][];
  private readonly bVec: number[][];
  private readonly aSplat: number;
  /** Holds a partial vector while its lanes are stored one by one. */
  private readonly edgeVec: number;

  constructor(
    module: Module,
    private readonly spec: GemmSpec,
  ) {
    this.m = module;
    this.layout = panelLayout(spec.k, spec.n, spec.nr);
    this.lda = spec.lda ?? spec.k;
    this.ldc = spec.ldc ?? spec.n;
    this.vecs = spec.nr / 4;
    this.panelBytes = this.layout.panelFloats * F32;
    const i32 = (): number => this.locals.add(binaryen.i32);
    const v128 = (): number => this.locals.add(binaryen.v128);
    this.row = i32();
    this.aRow = i32();
    this.cRow = i32();
    this.bPanel = i32();
    this.cTile = i32();
    this.col = i32();
    this.aK = i32();
    this.bK = i32();
    this.end = i32();
    this.kEnd = i32();
    const maxPanels = spec.mr;
    this.acc = [];
    for (let r = 0; r < spec.mr; r++) {
      this.acc.push(Array.from({ length: maxPanels }, () => Array.from({ length: this.vecs }, v128)));
    }
    this.bVec = Array.from({ length: maxPanels }, () => Array.from({ length: this.vecs }, v128));
    this.aSplat = v128();
    this.edgeVec = v128();
  }

  body(): Expr {
    const { m, spec } = this;
    const rowBlockBytesA = spec.mr * this.lda * F32;
    const rowBlockBytesC = spec.mr * this.ldc * F32;
    const fullBlocks = m.loop(
      'rows',
      m.block(null, [
        m.br('rows_done', m.i32.gt_u(m.i32.add(this.get(this.row), m.i32.const(spec.mr)), this.param(PARAM_M))),
        this.rowBlock(spec.mr),
        this.bump(this.row, spec.mr),
        this.bump(this.aRow, rowBlockBytesA),
        this.bump(this.cRow, rowBlockBytesC),
        m.br('rows'),
      ]),
    );
    const leftovers: Expr[] = [];
    for (let rows = 1; rows < spec.mr; rows++) {
      const remaining = m.i32.sub(this.param(PARAM_M), this.get(this.row));
      leftovers.push(m.if(m.i32.eq(remaining, m.i32.const(rows)), this.rowBlock(rows)));
    }
    return m.block(null, [
      this.set(this.row, m.i32.const(0)),
      this.set(this.aRow, this.param(PARAM_A)),
      this.set(this.cRow, this.param(PARAM_C)),
      m.block('rows_done', [fullBlocks]),
      ...leftovers,
    ]);
  }

  /** All panels for one block of `rows` rows starting at aRow / cRow. */
  private rowBlock(rows: number): Expr {
    const { m, spec } = this;
    const fullPanels = Math.floor(spec.n / spec.nr);
    const edgeCols = spec.n % spec.nr;
    // Fewer rows than MR: walk several panels at once to keep ~MR*NR/4 accumulators busy.
    const group = Math.max(1, Math.min(Math.floor(spec.mr / rows), fullPanels));
    const groups = Math.floor(fullPanels / group);
    const singles = fullPanels - groups * group;
    const parts: Expr[] = [
      this.set(this.bPanel, this.param(PARAM_B)),
      this.set(this.cTile, this.get(this.cRow)),
      this.set(this.col, m.i32.const(0)),
    ];
    if (groups > 0) parts.push(this.panelLoop(`g${rows}`, groups, { rows, panels: group, edgeCols: null }));
    if (singles > 0) parts.push(this.panelLoop(`s${rows}`, singles, { rows, panels: 1, edgeCols: null }));
    if (edgeCols > 0) parts.push(this.tile({ rows, panels: 1, edgeCols }));
    return m.block(null, parts);
  }

  /** `count` tiles of `shape` over consecutive panels, advancing bPanel, cTile and col. */
  private panelLoop(label: string, count: number, shape: TileShape): Expr {
    const { m, spec } = this;
    const step = shape.panels * spec.nr;
    const advance = [
      this.bump(this.bPanel, shape.panels * this.panelBytes),
      this.bump(this.cTile, step * F32),
      this.bump(this.col, step),
    ];
    if (count === 1) return m.block(null, [this.tile(shape), ...advance]);
    return m.block(null, [
      this.set(this.end, m.i32.add(this.get(this.col), m.i32.const(count * step))),
      m.loop(
        label,
        m.block(null, [
          this.tile(shape),
          ...advance,
          m.br(label, m.i32.ne(this.get(this.col), this.get(this.end))),
        ]),
      ),
    ]);
  }

  /** One register tile: zero the accumulators, run the K loop, store through the epilogue. */
  private tile(shape: TileShape): Expr {
    const { m, spec } = this;
    const zero = (): Expr => m.v128.const(new Array<number>(16).fill(0));
    const parts: Expr[] = [];
    this.forAcc(shape, (r, p, v) => parts.push(this.set(this.acc[r][p][v], zero())));
    parts.push(this.set(this.aK, this.get(this.aRow)), this.set(this.bK, this.get(this.bPanel)));
    const unroll = spec.kUnroll;
    const kIters = Math.floor(spec.k / unroll);
    const kLeft = spec.k - kIters * unroll;
    if (kIters > 0) {
      const steps: Expr[] = [];
      for (let u = 0; u < unroll; u++) steps.push(...this.kStep(shape, u));
      const label = `k${shape.rows}_${shape.panels}_${shape.edgeCols ?? 0}`;
      parts.push(
        this.set(this.kEnd, m.i32.add(this.get(this.bK), m.i32.const(kIters * unroll * spec.nr * F32))),
        m.loop(
          label,
          m.block(null, [
            ...steps,
            this.bump(this.aK, unroll * F32),
            this.bump(this.bK, unroll * spec.nr * F32),
            m.br(label, m.i32.ne(this.get(this.bK), this.get(this.kEnd))),
          ]),
        ),
      );
    }
    for (let u = 0; u < kLeft; u++) parts.push(...this.kStep(shape, u));
    parts.push(...this.stores(shape));
    return m.block(null, parts);
  }

  /** One k step at offset u from aK / bK: acc[r][p][v] += A[r, k+u] * Bpanel_p[k+u, 4v..4v+3]. */
  private kStep(shape: TileShape, u: number): Expr[] {
    const { m, spec } = this;
    const out: Expr[] = [];
    const bLoad = (p: number, v: number): Expr =>
      m.v128.load(p * this.panelBytes + (u * spec.nr + 4 * v) * F32, 16, this.get(this.bK));
    // With one row every B vector is used once, so it is loaded straight into its multiply.
    const holdB = shape.rows > 1;
    if (holdB) this.forPanelVec(shape, (p, v) => out.push(this.set(this.bVec[p][v], bLoad(p, v))));
    for (let r = 0; r < shape.rows; r++) {
      out.push(this.set(this.aSplat, m.v128.load32_splat((r * this.lda + u) * F32, 4, this.get(this.aK))));
      this.forPanelVec(shape, (p, v) => {
        const b = holdB ? this.get(this.bVec[p][v]) : bLoad(p, v);
        const acc = this.acc[r][p][v];
        out.push(this.set(acc, f32x4MulAdd(m, spec.relaxedSimd, this.get(this.aSplat), b, this.get(acc))));
      });
    }
    return out;
  }

  /** Stores the tile to C through the epilogue; a partial last panel stores only its real columns. */
  private stores(shape: TileShape): Expr[] {
    const { m, spec } = this;
    const out: Expr[] = [];
    this.forAcc(shape, (r, p, v) => {
      const colInTile = p * spec.nr + 4 * v;
      const offset = (r * this.ldc + colInTile) * F32;
      const value = this.epilogue(this.get(this.acc[r][p][v]), r, colInTile);
      const cols = shape.edgeCols ?? Infinity;
      const first = 4 * v;
      if (first + 4 <= cols) {
        out.push(m.v128.store(offset, 4, this.get(this.cTile), value));
      } else if (first < cols) {
        out.push(this.set(this.edgeVec, value));
        for (let lane = 0; lane < cols - first; lane++) {
          const scalar = m.f32x4.extract_lane(this.get(this.edgeVec), lane);
          out.push(m.f32.store(offset + lane * F32, 4, this.get(this.cTile), scalar));
        }
      }
    });
    return out;
  }

  private epilogue(acc: Expr, rowInTile: number, colInTile: number): Expr {
    const hook = this.spec.epilogue;
    if (!hook) return acc;
    const { m } = this;
    return hook(acc, {
      module: m,
      row: () => m.i32.add(this.get(this.row), m.i32.const(rowInTile)),
      col: () => m.i32.add(this.get(this.col), m.i32.const(colInTile)),
      addLocal: (type) => this.locals.add(type),
    });
  }

  private forAcc(shape: TileShape, fn: (r: number, p: number, v: number) => void): void {
    for (let r = 0; r < shape.rows; r++) this.forPanelVec(shape, (p, v) => fn(r, p, v));
  }

  private forPanelVec(shape: TileShape, fn: (p: number, v: number) => void): void {
    for (let p = 0; p < shape.panels; p++) for (let v = 0; v < this.vecs; v++) fn(p, v);
  }

  private get(index: number): Expr {
    return this.m.local.get(index, this.typeOf(index));
  }

  private param(index: number): Expr {
    return this.m.local.get(index, binaryen.i32);
  }

  private set(index: number, value: Expr): Expr {
    return this.m.local.set(index, value);
  }

  private bump(index: number, by: number): Expr {
    return this.set(index, this.m.i32.add(this.get(index), this.m.i32.const(by)));
  }

  private typeOf(index: number): binaryen.Type {
    return index <= PARAM_M ? binaryen.i32 : this.locals.types[index - PARAM_M - 1];
  }
}

function checkSpec(spec: GemmSpec): void {
  const where = `GEMM ${spec.k}x${spec.n}`;
  if (!Number.isInteger(spec.mr) || spec.mr < 1) throw new RangeError(`${where}: MR must be a positive integer, got ${spec.mr}`);
  if (!Number.isInteger(spec.kUnroll) || spec.kUnroll < 1) {
    throw new RangeError(`${where}: kUnroll must be a positive integer, got ${spec.kUnroll}`);
  }
  if ((spec.lda ?? spec.k) < spec.k) throw new RangeError(`${where}: lda ${spec.lda} is smaller than K`);
  if ((spec.ldc ?? spec.n) < spec.n) throw new RangeError(`${where}: ldc ${spec.ldc} is smaller than N`);
}

/** Adds the GEMM as function `name` `(a, b, c, m: i32) -> ()` to `module`. */
export function emitGemm(module: Module, name: string, spec: GemmSpec): void {
  checkSpec(spec);
  const emitter = new GemmEmitter(module, spec);
  const body = emitter.body();
  const params = binaryen.createType([binaryen.i32, binaryen.i32, binaryen.i32, binaryen.i32]);
  module.addFunction(name, params, binaryen.none, emitter.locals.types, body);
}
