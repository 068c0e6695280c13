/**
 * The bundle's `manifest.json`: the one description of a compiled model that
 * the compiler writes and the runtime reads. The compiler imports these types
 * (never the other way round), so both sides agree on one shape.
 */
import type { Affine } from './affine.js';
import { BundleError } from './errors.js';
import { MAX_RANK, MAX_TENSOR_ELEMENTS } from './limits.js';

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
  /** An input whose values index a table (an Embedding's token ids): each must be in [0, indexRows), checked at predict. */
  indexRows?: number;
}

export { evalAffine, type Affine } from './affine.js';

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

export function formatSpec(s: TensorSpec): string {
  return `${s.name}: ${s.dtype}[${s.shape.join(',')}]`;
}

/** `(x: f32[N,16]) -> (y: f32[N,10])`, for error messages. */
export function formatSignature(m: Pick<BundleManifest, 'inputs' | 'outputs'>): string {
  return `(${m.inputs.map(formatSpec).join(', ')}) -> (${m.outputs.map(formatSpec).join(', ')})`;
}

/** Throws a BundleError naming a missing or malformed field, with what is wrong with it when that is more than its form. */
type Bad = (field: string, why?: string) => never;

// Integers a double holds exactly: a size or offset of 1e300 is damage, never a layout.
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isAffine = (a: Affine | undefined): boolean => isCount(a?.base) && isCount(a?.perBatch);
const isDim = (d: Dim): boolean => d === 'N' || (isCount(d) && d > 0);

/** A name, a known dtype, and a shape within MAX_RANK and MAX_TENSOR_ELEMENTS per batch item. */
function checkSpec(s: TensorSpec, field: string, bad: Bad): true {
  if (typeof s?.name !== 'string') bad(`${field}.name`);
  if (s.dtype !== 'f32' && s.dtype !== 'i32') bad(`${field}.dtype`, `unknown dtype ${JSON.stringify(s.dtype)}`);
  checkList(s.shape, `${field}.shape`, bad, isDim);
  if (s.shape.length > MAX_RANK) bad(`${field}.shape`, `rank ${s.shape.length} is over the limit of ${MAX_RANK} (MAX_RANK)`);
  const count = s.shape.reduce<number>((n, d) => n * (d === 'N' ? 1 : d), 1);
  if (count > MAX_TENSOR_ELEMENTS) {
    bad(`${field}.shape`, `[${s.shape.join(',')}] has ${count} elements per batch item, over the limit of ${MAX_TENSOR_ELEMENTS} (MAX_TENSOR_ELEMENTS)`);
  }
  if (s.indexRows !== undefined && !(isCount(s.indexRows) && s.indexRows > 0)) bad(`${field}.indexRows`);
  return true;
}

/** A file the target reads: named by a string and listed in `files` with a size and a hash. */
function checkFile(m: BundleManifest, file: unknown, field: string, bad: Bad): void {
  if (typeof file !== 'string') bad(field);
  const entry = m.files[file as string];
  if (!isCount(entry?.bytes) || typeof entry.sha256 !== 'string') bad(`files["${String(file)}"]`);
}

/** A target's weights: a listed file, of the size its `files` entry gives. */
function checkWeights(m: BundleManifest, weights: { file: string; bytes: number } | undefined, field: string, bad: Bad): void {
  checkFile(m, weights?.file, `${field}.file`, bad);
  const listed = m.files[weights!.file].bytes;
  if (weights!.bytes !== listed) bad(`${field}.bytes`, `${String(weights!.bytes)}, but files["${weights!.file}"].bytes is ${listed}`);
}

/** An array of `count` entries (when given), each accepted by `ok`; names the first bad entry, and its value when not an object or array (which may be nested too deep to print). */
function checkList<T>(list: T[] | undefined, field: string, bad: Bad, ok: (x: T, i: number) => boolean, count?: number): void {
  if (!Array.isArray(list)) bad(field);
  if (count !== undefined && list.length !== count) bad(field, `${list.length} entries for ${count}`);
  list.forEach((x, i) => ok(x, i) || bad(`${field}[${i}]`, typeof x === 'object' ? undefined : `is ${JSON.stringify(x)}`));
}

function checkWasm(m: BundleManifest, w: WasmTarget, bad: Bad): void {
  checkFile(m, w.file, 'targets.wasm.file', bad);
  if (w.relaxedFile !== undefined) checkFile(m, w.relaxedFile, 'targets.wasm.relaxedFile', bad);
  checkWeights(m, w.weights, 'targets.wasm.weights', bad);
  if (!isCount(w.weightsOffset)) bad('targets.wasm.weightsOffset');
  if (!isCount(w.arenaOffset)) bad('targets.wasm.arenaOffset');
  if (w.arenaOffset < w.weightsOffset + w.weights.bytes) bad('targets.wasm.arenaOffset', 'the arena must start after the weights');
  if (!isAffine(w.arenaBytes)) bad('targets.wasm.arenaBytes');
  checkList(w.inputOffsets, 'targets.wasm.inputOffsets', bad, isAffine, m.inputs.length);
  checkList(w.outputOffsets, 'targets.wasm.outputOffsets', bad, isAffine, m.outputs.length);
}

function checkWebGpu(m: BundleManifest, g: WebGpuTarget, bad: Bad): void {
  const at = (field: string): string => `targets.webgpu.${field}`;
  checkFile(m, g.file, at('file'), bad);
  checkWeights(m, g.weights, at('weights'), bad);
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
    checkList(d.grid, grid, bad, (x) => isCount(x?.base) && isCount(x.perBatch) && isCount(x.per) && x.per > 0);
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
  const bad: Bad = (field, why) => {
    throw new BundleError(`${where}: manifest.json has a missing or malformed '${field}'${why ? ` (${why})` : ''}`);
  };
  checkList(m.inputs, 'inputs', bad, (s, i) => checkSpec(s, `inputs[${i}]`, bad));
  checkList(m.outputs, 'outputs', bad, (s, i) => checkSpec(s, `outputs[${i}]`, bad));
  if (typeof m.files !== 'object' || m.files === null) bad('files');
  const { wasm, webgpu } = m.targets ?? {};
  if (wasm === undefined && webgpu === undefined) bad('targets (neither wasm nor webgpu)');
  if (wasm !== undefined) checkWasm(m, wasm ?? bad('targets.wasm'), bad);
  if (webgpu !== undefined) checkWebGpu(m, webgpu ?? bad('targets.webgpu'), bad);
  return m;
}
