/**
 * TF.js layers models: `model.json` (a Keras topology plus a weights manifest)
 * and its weight shard files, which sit next to it. Weights are matched to
 * layers by name (`<layer>/<weight>`, e.g. `bidirectional/forward_lstm/kernel`),
 * never by position: real manifests list them in any order, across groups.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Tensor } from '../../ir/tensor.js';
import type { ModelSpec } from '../../layers/layer.js';
import { bindWeights } from './bind.js';
import { ModelFileError } from './errors.js';
import { modelSpecFromKeras } from './topology.js';
import { decodeGroup, parseManifest, type WeightGroup } from './weights.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON text; a syntax error names the line and column. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const match = /position (\d+)/.exec(message);
    const pos = match ? Number(match[1]) : text.length;
    const before = text.slice(0, pos).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    throw new ModelFileError(file, `malformed JSON at line ${line}, column ${column} (offset ${pos}): ${message}`, {}, { cause: e });
  }
}

/** Checks that parsed model.json content is a TF.js layers model, not a graph model or something else. */
function checkLayersModel(json: unknown, file: string): { topology: unknown; manifest: unknown } {
  if (!isRecord(json)) throw new ModelFileError(file, 'is not a TF.js model: the JSON is not an object');
  const format = json.format;
  const topology = json.modelTopology;
  const graphLike = isRecord(topology) && Array.isArray(topology.node);
  if (format === 'graph-model' || (format === undefined && graphLike)) {
    throw new ModelFileError(
      file,
      'is a TF.js graph model (a converted TensorFlow graph); tfc imports layers models, whose modelTopology is a Keras model',
    );
  }
  if (format !== undefined && format !== null && format !== 'layers-model') {
    throw new ModelFileError(file, `has format ${JSON.stringify(format)}; tfc imports TF.js 'layers-model' files`);
  }
  if (!isRecord(topology)) {
    throw new ModelFileError(file, "is not a TF.js layers model: it has no 'modelTopology' object");
  }
  return { topology, manifest: json.weightsManifest };
}

async function readShard(file: string, shard: string): Promise<Uint8Array> {
  const shardPath = path.resolve(path.dirname(file), shard);
  try {
    return new Uint8Array(await readFile(shardPath));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${String(e)})`;
    throw new ModelFileError(file, `weight file '${shard}' named in weightsManifest ${reason} (looked for ${shardPath})`, {}, {
      cause: e,
    });
  }
}

/** Reads every group's shards and decodes its weights, keyed by manifest name. */
async function readWeights(groups: WeightGroup[], file: string): Promise<Map<string, Tensor>> {
  const all = new Map<string, Tensor>();
  for (const [g, group] of groups.entries()) {
    const shards = await Promise.all(group.paths.map((p) => readShard(file, p)));
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    let offset = 0;
    for (const s of shards) {
      bytes.set(s, offset);
      offset += s.length;
    }
    const groupName = `weight group ${g} (${group.paths.join(', ') || 'no files'})`;
    for (const [name, t] of decodeGroup(group, bytes, file, groupName)) {
      if (all.has(name)) throw new ModelFileError(file, 'appears twice in weightsManifest', { weight: name });
      all.set(name, t);
    }
  }
  return all;
}

/** Builds a ModelSpec from parsed model.json content and its decoded weights. */
export function tfjsModelFromJson(json: unknown, file: string, weights: Map<string, Tensor>): ModelSpec {
  const { topology } = checkLayersModel(json, file);
  const spec = modelSpecFromKeras(topology, file);
  const used = new Set<string>();
  bindWeights(spec, file, (layer, ws) => {
    const name = `${layer.name}/${ws.name}`;
    used.add(name);
    return weights.get(name);
  });
  for (const name of weights.keys()) {
    if (used.has(name)) continue;
    const layerName = name.slice(0, name.lastIndexOf('/'));
    const owner = spec.layers.find((l) => name.startsWith(`${l.name}/`));
    const hint = owner
      ? `layer '${owner.name}' (${owner.className}) has weights ${[...owner.weights.keys()].join(', ') || 'none'}`
      : `no layer is named '${layerName}'`;
    throw new ModelFileError(file, `does not match any weight of the model's layers (${hint})`, { weight: name });
  }
  return spec;
}

/** Loads a TF.js layers model from its model.json path; shards are read relative to it. */
export async function loadTfjsModel(file: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ModelFileError(file, `cannot be read (${String(e)})`, {}, { cause: e });
  }
  const json = parseJsonFile(text, file);
  const { manifest } = checkLayersModel(json, file);
  const weights = await readWeights(parseManifest(manifest, file), file);
  return tfjsModelFromJson(json, file, weights);
}
