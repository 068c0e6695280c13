/**
 * Assembles a bundle in memory from an optimized graph and its compiled
 * WASM artifact: model.wasm (and model.relaxed.wasm, its relaxed-SIMD variant,
 * when given), weights.bin, the typed loader and manifest.json
 * (written last, as it lists the size and SHA-256 of every other file).
 * Everything is a pure function of its inputs: no timestamps, sorted JSON.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Graph } from '../ir/graph.js';
import { kernelOps } from '../inspect.js';
import { FORMAT_NAME, FORMAT_VERSION, evalAffine, type BuildReport, type BundleManifest, type FileEntry, type TensorSpec } from '../../runtime/manifest.js';
import type { WasmArtifact, WasmLayout } from '../../targets/wasm/index.js';
import { stableJson } from './json.js';
import { loaderDts, loaderJs } from './loader.js';

export const MANIFEST_FILE = 'manifest.json';
export const WASM_FILE = 'model.wasm';
export const RELAXED_WASM_FILE = 'model.relaxed.wasm';
export const WEIGHTS_FILE = 'weights.bin';

export interface Bundle {
  manifest: BundleManifest;
  /** File name → bytes, manifest.json included. */
  files: Map<string, Uint8Array>;
}

function fileEntry(bytes: Uint8Array): FileEntry {
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function specs(entries: WasmLayout['inputs']): TensorSpec[] {
  return entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: [...e.shape] }));
}

/** The runtime loads either module over the same weights.bin and layout, so they must agree exactly. */
function checkSameLayout(plain: WasmArtifact, relaxed: WasmArtifact): void {
  if (!isDeepStrictEqual(plain.layout, relaxed.layout)) throw new Error(`bundle: ${RELAXED_WASM_FILE} has a different memory layout than ${WASM_FILE}`);
  if (!Buffer.from(plain.weights).equals(Buffer.from(relaxed.weights))) throw new Error(`bundle: ${RELAXED_WASM_FILE} has different weights than ${WASM_FILE}`);
}

export function assembleBundle(graph: Graph, artifact: WasmArtifact, alignment: number, report: BuildReport, relaxed?: WasmArtifact): Bundle {
  const { layout } = artifact;
  if (relaxed) checkSameLayout(artifact, relaxed);
  const inputs = specs(layout.inputs);
  const outputs = specs(layout.outputs);
  const text = new TextEncoder();
  const files = new Map<string, Uint8Array>([
    [WASM_FILE, artifact.wasm],
    ...(relaxed ? [[RELAXED_WASM_FILE, relaxed.wasm] as const] : []),
    [WEIGHTS_FILE, artifact.weights],
    ['index.js', text.encode(loaderJs(graph.name))],
    ['index.d.ts', text.encode(loaderDts(graph.name, inputs, outputs))],
  ]);
  const ops = kernelOps(graph);
  const manifest: BundleManifest = {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    name: graph.name,
    inputs,
    outputs,
    targets: {
      wasm: {
        file: WASM_FILE,
        ...(relaxed ? { relaxedFile: RELAXED_WASM_FILE } : {}),
        weightsOffset: layout.weightsOffset,
        arenaOffset: layout.arenaOffset,
        arenaBytes: { ...layout.arenaBytes },
        inputOffsets: layout.inputs.map((e) => ({ ...e.offset })),
        outputOffsets: layout.outputs.map((e) => ({ ...e.offset })),
      },
    },
    weights: { file: WEIGHTS_FILE, bytes: artifact.weights.length },
    memoryPlan: { alignment, arenaBytes: { ...layout.arenaBytes }, peakBytesAtBatch1: evalAffine(layout.arenaBytes, 1) },
    kernels: { count: Object.values(ops).reduce((s, c) => s + c, 0), ops },
    report,
    files: Object.fromEntries([...files].map(([name, bytes]) => [name, fileEntry(bytes)])),
  };
  files.set(MANIFEST_FILE, text.encode(stableJson(manifest)));
  return { manifest, files };
}
