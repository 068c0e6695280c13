/**
 * TF.js layers models: `model.json` (a Keras topology plus a weights manifest)
 * and its weight shard files, which sit next to it. Weights are matched to
 * layers by name (`<layer>/<weight>`, e.g. `bidirectional/forward_lstm/kernel`),
 * never by position: real manifests list them in any order, across groups.
 */
import path from 'node:path';
import { jsonErrorOffset } from '../../io/json_syntax.js';
import { FileAccessError, readRegularFile, RegularFile, resolveInside } from '../../io/read_file.js';
import type { Tensor } from '../../ir/tensor.js';
import type { ModelSpec } from '../../layers/layer.js';
import { bindWeights, manifestWeightNames } from './bind.js';
import { ModelFileError } from './errors.js';
import { modelSpecFromKeras } from './topology.js';
import { MAX_JSON_BYTES } from '../../limits.js';
import { decodeGroup, groupByteLength, parseManifest, type WeightGroup } from './weights.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses JSON text (after a UTF-8 byte order mark, if any). A syntax error
 * is one line naming the line, column and offset of the first bad character.
 */
export function parseJsonFile(raw: string, file: string): unknown {
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  try {
    return JSON.parse(text);
  } catch (e) {
    const found = jsonErrorOffset(text);
    const pos = found < 0 ? text.length : found;
    const before = text.slice(0, pos).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    const what = pos < text.length ? `unexpected ${JSON.stringify(text[pos])}` : 'the text ends too early';
    throw new ModelFileError(file, `malformed JSON at line ${line}, column ${column} (offset ${pos}): ${what}`, {}, { cause: e });
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

/** Opens every shard of a group: inside the model's folder, regular files. `where` names the group. */
async function openShards(file: string, group: WeightGroup, where: string): Promise<RegularFile[]> {
  const shards: RegularFile[] = [];
  try {
    for (const shard of group.paths) {
      try {
        shards.push(await RegularFile.open(await resolveInside(path.dirname(file), shard)));
      } catch (e) {
        if (!(e instanceof FileAccessError)) throw e;
        throw new ModelFileError(file, `weight file '${shard}' named in ${where} ${e.reason}`, {}, { cause: e });
      }
    }
  } catch (e) {
    await Promise.all(shards.map((s) => s.close()));
    throw e;
  }
  return shards;
}

/**
 * The bytes of group `g`: its shards' sizes (from fstat) may not add up to
 * more than the manifest describes, checked before anything is read; a short
 * group is read and reported by decodeGroup, naming the weight that is cut.
 */
async function readGroup(file: string, group: WeightGroup, g: number, groupName: string): Promise<Uint8Array> {
  const where = `weightsManifest[${g}]`;
  const shards = await openShards(file, group, where);
  try {
    const need = groupByteLength(group);
    const have = shards.reduce((n, s) => n + s.size, 0);
    if (have > need) {
      throw new ModelFileError(
        file,
        `${groupName} holds ${have} bytes but its manifest entries describe only ${need}; the manifest does not match the weight files`,
      );
    }
    const bytes = new Uint8Array(have);
    let offset = 0;
    for (const [i, shard] of shards.entries()) {
      try {
        await shard.read(bytes, offset);
      } catch (e) {
        if (!(e instanceof FileAccessError)) throw e;
        throw new ModelFileError(file, `weight file '${group.paths[i]}' named in ${where} ${e.reason}`, {}, { cause: e });
      }
      offset += shard.size;
    }
    return bytes;
  } finally {
    await Promise.all(shards.map((s) => s.close()));
  }
}

/** Reads every group's shards and decodes its weights, keyed by manifest name. */
async function readWeights(groups: WeightGroup[], file: string): Promise<Map<string, Tensor>> {
  const all = new Map<string, Tensor>();
  for (const [g, group] of groups.entries()) {
    const groupName = `weight group ${g} (${group.paths.join(', ') || 'no files'})`;
    const bytes = await readGroup(file, group, g, groupName);
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
    const candidates = manifestWeightNames(layer, ws);
    const name = candidates.find((n) => weights.has(n)) ?? candidates[0];
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
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_JSON_BYTES, 'a model.json (MAX_JSON_BYTES)');
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    throw new ModelFileError(file, e.reason, {}, { cause: e });
  }
  const json = parseJsonFile(new TextDecoder().decode(bytes), file);
  const { manifest } = checkLayersModel(json, file);
  const weights = await readWeights(parseManifest(manifest, file), file);
  return tfjsModelFromJson(json, file, weights);
}
