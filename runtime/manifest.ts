/**
 * The bundle's `manifest.json`: the one description of a compiled model that
 * the compiler writes and the runtime reads. The compiler imports these types
 * (never the other way round), so both sides agree on one shape.
 */
import { BundleError } from './errors.js';

/** Bumped whenever a change to the bundle would make an older runtime compute wrong numbers. */
export const FORMAT_VERSION = 1;
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
  targets: { wasm: WasmTarget };
  weights: { file: string; bytes: number };
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

/**
 * Parses manifest.json and checks what the runtime depends on; anything else
 * is an error naming the field, so a damaged manifest never loads.
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
  const bad = (field: string): never => {
    throw new BundleError(`${where}: manifest.json has a missing or malformed '${field}'`);
  };
  const isAffine = (a: Affine | undefined): boolean => Number.isInteger(a?.base) && Number.isInteger(a?.perBatch);
  const isSpec = (s: TensorSpec): boolean =>
    typeof s?.name === 'string' &&
    (s.dtype === 'f32' || s.dtype === 'i32') &&
    Array.isArray(s.shape) &&
    s.shape.every((d) => d === 'N' || (Number.isInteger(d) && d >= 0));
  if (!Array.isArray(m.inputs) || !m.inputs.every(isSpec)) bad('inputs');
  if (!Array.isArray(m.outputs) || !m.outputs.every(isSpec)) bad('outputs');
  const w = m.targets?.wasm;
  if (!w || typeof w.file !== 'string') bad('targets.wasm');
  if (w.relaxedFile !== undefined && typeof w.relaxedFile !== 'string') bad('targets.wasm.relaxedFile');
  if (!Number.isInteger(w.weightsOffset) || !Number.isInteger(w.arenaOffset) || !isAffine(w.arenaBytes)) bad('targets.wasm layout');
  if (!Array.isArray(w.inputOffsets) || w.inputOffsets.length !== m.inputs.length || !w.inputOffsets.every(isAffine)) {
    bad('targets.wasm.inputOffsets');
  }
  if (!Array.isArray(w.outputOffsets) || w.outputOffsets.length !== m.outputs.length || !w.outputOffsets.every(isAffine)) {
    bad('targets.wasm.outputOffsets');
  }
  if (typeof m.weights?.file !== 'string' || !Number.isInteger(m.weights.bytes)) bad('weights');
  if (typeof m.files !== 'object' || m.files === null) bad('files');
  for (const file of [w.file, m.weights.file, ...(w.relaxedFile !== undefined ? [w.relaxedFile] : [])]) {
    if (!m.files[file]) bad(`files["${file}"]`);
  }
  return m;
}
