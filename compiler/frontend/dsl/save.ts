/**
 * Saves a model as a TF.js layers model: `model.json` (the Keras topology
 * from write_topology.ts plus a weights manifest) and one `weights.bin`
 * shard. Weights are named `<layer>/<weight>` as TF.js names them, and stored
 * unquantized (float32, int32 or bool), little-endian.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tensor } from '../../ir/tensor.js';
import type { DType } from '../../ir/types.js';
import type { ModelSpec } from '../../layers/layer.js';
import { kerasTopologyFromSpec } from '../keras/write_topology.js';

const WEIGHTS_FILE = 'weights.bin';

const MANIFEST_DTYPES: Record<DType, { name: string; bytes: number }> = {
  f32: { name: 'float32', bytes: 4 },
  i32: { name: 'int32', bytes: 4 },
  bool: { name: 'bool', bytes: 1 },
};

function writeValues(view: DataView, offset: number, t: Tensor): void {
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (t.dtype === 'f32') view.setFloat32(offset + 4 * i, v, true);
    else if (t.dtype === 'i32') view.setInt32(offset + 4 * i, v, true);
    else view.setUint8(offset + i, v);
  }
}

/** The contents of `model.json` and `weights.bin` for a spec. */
export function tfjsModelFiles(spec: ModelSpec): { modelJson: string; weights: Uint8Array } {
  const entries = spec.layers.flatMap((l) => [...l.weights].map(([w, t]) => ({ name: `${l.name}/${w}`, t })));
  const size = entries.reduce((n, e) => n + e.t.data.length * MANIFEST_DTYPES[e.t.dtype].bytes, 0);
  const weights = new Uint8Array(size);
  const view = new DataView(weights.buffer);
  let offset = 0;
  for (const e of entries) {
    writeValues(view, offset, e.t);
    offset += e.t.data.length * MANIFEST_DTYPES[e.t.dtype].bytes;
  }
  const model = {
    format: 'layers-model',
    generatedBy: 'tfc',
    convertedBy: null,
    modelTopology: { ...kerasTopologyFromSpec(spec), keras_version: 'tfc', backend: 'tensor_flow.js' },
    weightsManifest: [
      {
        paths: [WEIGHTS_FILE],
        weights: entries.map((e) => ({ name: e.name, shape: [...e.t.shape], dtype: MANIFEST_DTYPES[e.t.dtype].name })),
      },
    ],
  };
  return { modelJson: `${JSON.stringify(model, null, 2)}\n`, weights };
}

/** Writes `model.json` and `weights.bin` into `dir` (created if needed); returns the model.json path. */
export async function saveModelSpec(spec: ModelSpec, dir: string): Promise<string> {
  const { modelJson, weights } = tfjsModelFiles(spec);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'model.json');
  await writeFile(file, modelJson);
  await writeFile(path.join(dir, WEIGHTS_FILE), weights);
  return file;
}
