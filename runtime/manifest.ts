/**
 * The bundle's `manifest.json`: the one description of a compiled model that
 * the compiler writes and the runtime reads. The compiler imports these types
 * (never the other way round), so both sides agree on one shape.
 */
import { BundleError } from './errors.js';

/** Bumped whenever a change to the bundle would make an older runtime compute wrong numbers. */
export const FORMAT_VERSION = 3;
export const FORMAT_NAME = 'tfc-bundle';

export type DTypeName = 'f32' | 'i32';
/** A dimension: a number, or `'N'` for the batch size chosen at predict time. */
export type Dim = number | 'N';

export interface TensorSpec {
  name: string;
  dtype: DTypeName;
  shape: Dim[];
}

/** Bytes `base + perBatch * N`. */
export interface Affine {
  base: number;
  perBatch: number;
}

export interface FileEntry {
  bytes: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
}

export interface WasmTarget {
  file: string;
  /** The same module with relaxed-SIMD GEMMs (same layout and weights), loaded where the engine has relaxed SIMD. */
  relaxedFile?: string;
  /** The weights region as the module reads it, copied to `weightsOffset` once. */
  weights: { file: string; bytes: number };
  /** Where weights.bin is copied in linear memory. */
  weightsOffset: number;
  /** Start of the activation arena, after the weights. */
  arenaOffset: number;
  arenaBytes: Affine;
  /** Absolute offsets of each input / output in linear memory, in signature order. */
  inputOffsets: Affine[];
  outputOffsets: Affine[];
}

/** A byte range a WebGPU dispatch binds: of the arena buffer (page 0), or of one weights page. */
export interface GpuRange {
  space: 'arena' | 'weights';
  page: number;
  offset: Affine;
  size: Affine;
}

/** Workgroups along one axis: ceil((base + perBatch * N) / per). */
export interface GpuGridDim {
  base: number;
  perBatch: number;
  per: number;
}

export interface GpuDispatchSpec {
  /** Index into `kernels` (the modules of the WGSL file, in order). */
  kernel: number;
  label: string;
  /** Bindings 1..; binding 0 is the uniform slot `step`. */
  bindings: GpuRange[];
  grid: GpuGridDim[];
  step: number;
}

export interface WebGpuTarget {
  /** The WGSL file: one module per kernel, each opening with the line `// tfc:kernel <index>`. */
  file: string;
  kernels: { bindings: ('storage' | 'read-only-storage')[] }[];
  dispatches: GpuDispatchSpec[];
  /** The weights file of this target (plain layout), in pages that each fit one binding. */
  weights: { file: string; bytes: number; pages: { offset: number; bytes: number }[] };
  arenaBytes: Affine;
  /** Uniform slots: slot s holds { n: batch, t: s }. */
  steps: number;
  inputs: GpuRange[];
  outputs: GpuRange[];
}

/** The line that opens each module of a bundle's WGSL file. */
export const WGSL_KERNEL_MARKER = '// tfc:kernel ';

/** The keys of `tfc inspect --json`, as measured when the bundle was built. */
export interface BuildReport {
  /** Computation nodes before the pipeline (weight reads not counted). */
  nodes_before: number;
  /** Nodes a target launches after the pipeline: no weight reads, no views. */
  kernels_after: number;
  /** Those kernels by op name, sorted by name. */
  ops_after: Record<string, number>;
  /** The memory plan's arena size at batch 1. */
  peak_bytes: number;
  /** The sum of the sizes of every node result (weights excluded) at batch 1, as if nothing were reused. */
  naive_bytes: number;
  /** Bytes of the weights the optimized graph reads. */
  weight_bytes: number;
}

export interface BundleManifest {
  format: typeof FORMAT_NAME;
  formatVersion: number;
  name: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** The compiled forms of the model; at least one is present. */
  targets: { wasm?: WasmTarget; webgpu?: WebGpuTarget };
  memoryPlan: { alignment: number; arenaBytes: Affine; peakBytesAtBatch1: number };
  kernels: { count: number; ops: Record<string, number> };
  /** What the build's pipeline did (the `tfc inspect --json` report); for tools, not read by the runtime. */
  report: BuildReport;
  /** Every other file of the bundle, by name. */
  files: Record<string, FileEntry>;
}

export function evalAffine(a: Affine, batch: number): number {
  return a.base + a.perBatch * batch;
}

export function formatSpec(s: TensorSpec): string {
  return `${s.name}: ${s.dtype}[${s.shape.join(',')}]`;
}

/** `(x: f32[N,16]) -> (y: f32[N,10])`, for error messages. */
export function formatSignature(m: Pick<BundleManifest, 'inputs' | 'outputs'>): string {
  return `(${m.inputs.map(formatSpec).join(', ')}) -> (${m.outputs.map(formatSpec).join(', ')})`;
}

/** Throws a BundleError naming a missing or malformed field. */
type Bad = (field: string) => never;

const isInt = (x: unknown): x is number => Number.isInteger(x);
const isCount = (x: unknown): x is number => isInt(x) && x >= 0;
const isAffine = (a: Affine | undefined): boolean => isInt(a?.base) && isInt(a?.perBatch);
const isSpec = (s: TensorSpec): boolean =>
  typeof s?.name === 'string' &&
  (s.dtype === 'f32' || s.dtype === 'i32') &&
  Array.isArray(s.shape) &&
  s.shape.every((d) => d === 'N' || isCount(d));

/** A file the target reads: named by a string and listed in `files`. */
function checkFile(m: BundleManifest, file: unknown, field: string, bad: Bad): void {
  if (typeof file !== 'string') bad(field);
  if (!m.files[file as string]) bad(`files["${String(file)}"]`);
}

/** An array of `count` entries (when given), each accepted by `ok`; names the first bad entry. */
function checkList<T>(list: T[] | undefined, field: string, bad: Bad, ok: (x: T, i: number) => boolean, count?: number): void {
  if (!Array.isArray(list) || (count !== undefined && list.length !== count)) bad(field);
  list?.forEach((x, i) => ok(x, i) || bad(`${field}[${i}]`));
}

function checkWasm(m: BundleManifest, w: WasmTarget, bad: Bad): void {
  checkFile(m, w.file, 'targets.wasm.file', bad);
  if (w.relaxedFile !== undefined) checkFile(m, w.relaxedFile, 'targets.wasm.relaxedFile', bad);
  checkFile(m, w.weights?.file, 'targets.wasm.weights.file', bad);
  if (!isCount(w.weights.bytes)) bad('targets.wasm.weights.bytes');
  if (!isCount(w.weightsOffset)) bad('targets.wasm.weightsOffset');
  if (!isCount(w.arenaOffset)) bad('targets.wasm.arenaOffset');
  if (!isAffine(w.arenaBytes)) bad('targets.wasm.arenaBytes');
  checkList(w.inputOffsets, 'targets.wasm.inputOffsets', bad, isAffine, m.inputs.length);
  checkList(w.outputOffsets, 'targets.wasm.outputOffsets', bad, isAffine, m.outputs.length);
}

function checkWebGpu(m: BundleManifest, g: WebGpuTarget, bad: Bad): void {
  const at = (field: string): string => `targets.webgpu.${field}`;
  checkFile(m, g.file, at('file'), bad);
  checkFile(m, g.weights?.file, at('weights.file'), bad);
  if (!isCount(g.weights.bytes)) bad(at('weights.bytes'));
  const pages = g.weights.pages;
  checkList(pages, at('weights.pages'), bad, (p) => isCount(p?.offset) && isCount(p.bytes) && p.offset + p.bytes <= g.weights.bytes);
  if (!isAffine(g.arenaBytes)) bad(at('arenaBytes'));
  if (!isCount(g.steps)) bad(at('steps'));
  const isRange = (r: GpuRange): boolean =>
    (r?.space === 'arena' ? r.page === 0 : r?.space === 'weights' && isCount(r.page) && r.page < pages.length) && isAffine(r.offset) && isAffine(r.size);
  const isBinding = (b: string): boolean => b === 'storage' || b === 'read-only-storage';
  checkList(g.kernels, at('kernels'), bad, (k) => Array.isArray(k?.bindings) && k.bindings.every(isBinding));
  checkList(g.dispatches, at('dispatches'), bad, (d, i) => {
    if (!isCount(d?.kernel) || d.kernel >= g.kernels.length || typeof d.label !== 'string') return false;
    if (!isCount(d.step) || d.step >= Math.max(1, g.steps)) return false;
    const grid = at(`dispatches[${i}].grid`);
    checkList(d.grid, grid, bad, (x) => isCount(x?.base) && isCount(x.perBatch) && isInt(x.per) && x.per > 0);
    if (d.grid.length < 1 || d.grid.length > 3) bad(grid);
    checkList(d.bindings, at(`dispatches[${i}].bindings`), bad, isRange, g.kernels[d.kernel].bindings.length);
    return true;
  });
  checkList(g.inputs, at('inputs'), bad, isRange, m.inputs.length);
  checkList(g.outputs, at('outputs'), bad, isRange, m.outputs.length);
}

/**
 * Parses manifest.json and checks every field the runtime depends on, for
 * whichever targets the bundle has; anything else is an error naming the
 * field, so a damaged manifest never loads.
 */
export function parseManifest(text: string, where: string): BundleManifest {
  let m: BundleManifest;
  try {
    m = JSON.parse(text) as BundleManifest;
  } catch (e) {
    throw new BundleError(`${where}: manifest.json is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof m !== 'object' || m === null || m.format !== FORMAT_NAME) {
    throw new BundleError(`${where}: manifest.json is not a tfc bundle manifest (no "format": "${FORMAT_NAME}")`);
  }
  if (m.formatVersion !== FORMAT_VERSION) {
    throw new BundleError(
      `${where}: unknown bundle format version ${JSON.stringify(m.formatVersion)}; this runtime reads version ${FORMAT_VERSION} ` +
        '(rebuild the bundle with `tfc build`, or use the runtime of the tfc that built it)',
    );
  }
  const bad: Bad = (field) => {
    throw new BundleError(`${where}: manifest.json has a missing or malformed '${field}'`);
  };
  checkList(m.inputs, 'inputs', bad, isSpec);
  checkList(m.outputs, 'outputs', bad, isSpec);
  if (typeof m.files !== 'object' || m.files === null) bad('files');
  const { wasm, webgpu } = m.targets ?? {};
  if (wasm === undefined && webgpu === undefined) bad('targets (neither wasm nor webgpu)');
  if (wasm !== undefined) checkWasm(m, wasm, bad);
  if (webgpu !== undefined) checkWebGpu(m, webgpu, bad);
  return m;
}
