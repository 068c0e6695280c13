/**
 * Assembles a bundle in memory from an optimized graph and its compiled
 * targets: for wasm, model.wasm (and model.relaxed.wasm, its relaxed-SIMD
 * variant, when given) and weights.bin; for webgpu, model.wgsl and
 * weights.webgpu.bin, each compiled file carrying the digest of the layout it
 * was compiled for (layout_digest.ts); then the typed loader (with the runtime
 * copy in the 'bundled' runtime mode, loader.ts) and manifest.json
 * (written last, as it lists the size and SHA-256 of every other file). Everything is a pure
 * function of its inputs: no timestamps, sorted JSON.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { kernelOps } from '../../compiler/inspect.js';
import type { MemoryPlan } from '../../compiler/plan/index.js';
import { indexInputRows } from '../../compiler/interpreter/index_inputs.js';
import {
  FORMAT_NAME,
  FORMAT_VERSION,
  evalAffine,
  type BuildReport,
  type BundleManifest,
  type FileEntry,
  type TensorSpec,
  type WasmTarget,
  type WebGpuTarget,
} from '../../runtime/manifest.js';
import type { WasmArtifact } from '../../targets/wasm/index.js';
import type { WebGpuArtifact } from '../../targets/webgpu/index.js';
import { stableJson } from './json.js';
import { layoutDigest, withWasmLayout, withWgslLayout } from './layout_digest.js';
import { loaderFiles, type LoaderOptions } from './loader.js';

export const MANIFEST_FILE = 'manifest.json';
export const WASM_FILE = 'model.wasm';
export const RELAXED_WASM_FILE = 'model.relaxed.wasm';
export const WEIGHTS_FILE = 'weights.bin';
export const WGSL_FILE = 'model.wgsl';
export const GPU_WEIGHTS_FILE = 'weights.webgpu.bin';

export interface Bundle {
  manifest: BundleManifest;
  /** File name → bytes, manifest.json included. */
  files: Map<string, Uint8Array>;
}

/** What goes into a bundle: at least one target. */
export interface BundleTargets {
  wasm?: WasmArtifact;
  /** The relaxed-SIMD variant of `wasm` (same layout and weights). */
  relaxed?: WasmArtifact;
  webgpu?: WebGpuArtifact;
}

function fileEntry(bytes: Uint8Array): FileEntry {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The model's signature; names as the targets give them (an unnamed input is `input<id>`). */
function signature(graph: Graph): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const spec = (name: string, v: Value): TensorSpec => {
    if (v.type.dtype === 'bool') throw new Error(`bundle: model input/output '${name}' is bool, which bundles cannot carry`);
    return { name, dtype: v.type.dtype, shape: [...v.type.shape] };
  };
  const indexRows = indexInputRows(graph);
  return {
    inputs: graph.inputs.map((v, i) => {
      const rows = indexRows.get(i);
      return { ...spec(v.name ?? `input${v.id}`, v), ...(rows === undefined ? {} : { indexRows: rows }) };
    }),
    outputs: graph.outputs.map((o) => spec(o.name, o.value)),
  };
}

/** The runtime loads either module over the same weights.bin and layout, so they must agree exactly. */
function checkSameLayout(plain: WasmArtifact, relaxed: WasmArtifact): void {
  if (!isDeepStrictEqual(plain.layout, relaxed.layout)) throw new Error(`bundle: ${RELAXED_WASM_FILE} has a different memory layout than ${WASM_FILE}`);
  if (!Buffer.from(plain.weights).equals(Buffer.from(relaxed.weights))) throw new Error(`bundle: ${RELAXED_WASM_FILE} has different weights than ${WASM_FILE}`);
}

function wasmTarget(artifact: WasmArtifact, relaxed: WasmArtifact | undefined, files: Map<string, Uint8Array>): WasmTarget {
  const { layout } = artifact;
  if (relaxed) checkSameLayout(artifact, relaxed);
  files.set(WASM_FILE, artifact.wasm);
  if (relaxed) files.set(RELAXED_WASM_FILE, relaxed.wasm);
  files.set(WEIGHTS_FILE, artifact.weights);
  return {
    file: WASM_FILE,
    ...(relaxed ? { relaxedFile: RELAXED_WASM_FILE } : {}),
    weights: { file: WEIGHTS_FILE, bytes: artifact.weights.length },
    weightsOffset: layout.weightsOffset,
    arenaOffset: layout.arenaOffset,
    arenaBytes: { ...layout.arenaBytes },
    inputOffsets: layout.inputs.map((e) => ({ ...e.offset })),
    outputOffsets: layout.outputs.map((e) => ({ ...e.offset })),
  };
}

function webgpuTarget(artifact: WebGpuArtifact, files: Map<string, Uint8Array>): WebGpuTarget {
  const { weightPages, ...layout } = artifact.layout;
  files.set(WGSL_FILE, new TextEncoder().encode(artifact.wgsl));
  files.set(GPU_WEIGHTS_FILE, artifact.weights);
  return { ...layout, file: WGSL_FILE, weights: { file: GPU_WEIGHTS_FILE, bytes: artifact.weights.length, pages: weightPages } };
}

/**
 * `plan` is the graph's memory plan, the one the targets were compiled with (the manifest's `memoryPlan` summarizes it);
 * `loader` says where the generated loader finds the runtime (loader.ts): by default a copy inside the bundle.
 */
export function assembleBundle(
  graph: Graph,
  targets: BundleTargets,
  plan: MemoryPlan,
  report: BuildReport,
  loader: LoaderOptions = { runtime: 'bundled' },
): Bundle {
  if (!targets.wasm && !targets.webgpu) throw new Error('bundle: no target to assemble');
  if (targets.relaxed && !targets.wasm) throw new Error(`bundle: ${RELAXED_WASM_FILE} without ${WASM_FILE}`);
  const { inputs, outputs } = signature(graph);
  const files = new Map<string, Uint8Array>();
  const manifestTargets: BundleManifest['targets'] = {
    ...(targets.wasm ? { wasm: wasmTarget(targets.wasm, targets.relaxed, files) } : {}),
    ...(targets.webgpu ? { webgpu: webgpuTarget(targets.webgpu, files) } : {}),
  };
  const signatureOnly = { inputs, outputs };
  if (manifestTargets.wasm) {
    const digest = layoutDigest(signatureOnly, manifestTargets.wasm);
    for (const name of [WASM_FILE, RELAXED_WASM_FILE]) {
      const wasm = files.get(name);
      if (wasm) files.set(name, withWasmLayout(wasm, digest));
    }
  }
  if (manifestTargets.webgpu) {
    const wgsl = new TextDecoder().decode(files.get(WGSL_FILE));
    files.set(WGSL_FILE, new TextEncoder().encode(withWgslLayout(wgsl, layoutDigest(signatureOnly, manifestTargets.webgpu))));
  }
  for (const [name, bytes] of loaderFiles(graph.name, inputs, outputs, loader)) files.set(name, bytes);
  const ops = kernelOps(graph);
  const { arena, alignment } = plan;
  const manifest: BundleManifest = {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    name: graph.name,
    inputs,
    outputs,
    targets: manifestTargets,
    memoryPlan: { alignment, arenaBytes: { ...arena }, peakBytesAtBatch1: evalAffine(arena, 1) },
    kernels: { count: Object.values(ops).reduce((s, c) => s + c, 0), ops },
    report,
    files: Object.fromEntries([...files].map(([name, bytes]) => [name, fileEntry(bytes)])),
  };
  files.set(MANIFEST_FILE, new TextEncoder().encode(stableJson(manifest)));
  return { manifest, files };
}
