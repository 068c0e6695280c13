/**
 * The MobileNetV2 acceptance bar on the model as imported from Keras files,
 * not traced from the DSL: the example is saved as a TF.js layers model
 * (model.save) and converted to a Keras 2 `.h5` and a Keras 3 `.keras` file
 * (whose Keras 3 config differs: dtype policies, no batch_input_shape on
 * layers). Weights are randomized first, as trained files have non-zero
 * biases and batch-norm statistics, so no bias add disappears as x+0.
 * A second `.keras` file has Keras 3's own stem: one `same` stride-2 Conv1
 * and no Conv1_pad layer. Inspect only: the interpreter is too slow at 224x224 (the numbers are
 * checked on the DSL model in mobilenet_v2.test.ts and on saved models in
 * test/dsl/save.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mobileNetV2 } from '../../examples/mobilenet_v2/model.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { randomizeWeights } from '../helpers/random_weights.js';
import { readTfjsCase, writeKeras2H5, writeKeras3Archive, type TfjsCase } from '../helpers/keras_writers.js';
import { expectMobileNetAcceptance } from './mobilenet_acceptance.js';

let dir: string;

interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

/** Keras 3's MobileNetV2 stem: Conv1_pad removed, Conv1 reads the image with `same` padding. */
function keras3Stem(tc: TfjsCase): TfjsCase {
  const config = tc.topology.config as { layers: LayerJson[] };
  const pad = config.layers.find((l) => l.name === 'Conv1_pad')!;
  const layers = config.layers
    .filter((l) => l !== pad)
    .map((l) => (l.name === 'Conv1' ? { ...l, config: { ...l.config, padding: 'same' }, inbound_nodes: pad.inbound_nodes } : l));
  return { ...tc, topology: { ...tc.topology, config: { ...config, layers } } };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfc-mobilenet-'));
  const m = mobileNetV2();
  randomizeWeights(m, 17);
  await m.save(dir);
  const tc = readTfjsCase(dir);
  writeFileSync(path.join(dir, 'mobilenet_v2.h5'), await writeKeras2H5(tc));
  writeFileSync(path.join(dir, 'mobilenet_v2.keras'), await writeKeras3Archive(tc));
  writeFileSync(path.join(dir, 'mobilenet_v2_keras3_stem.keras'), await writeKeras3Archive(keras3Stem(tc)));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MobileNetV2 imported from Keras files', () => {
  for (const file of ['model.json', 'mobilenet_v2.h5', 'mobilenet_v2.keras', 'mobilenet_v2_keras3_stem.keras']) {
    it(`${file}: meets the acceptance bar after the pipeline`, { timeout: 120_000 }, async () => {
      const spec = await loadKerasFile(path.join(dir, file));
      expect(spec.layers.filter((l) => l.className === 'BatchNormalization')).toHaveLength(52);
      expect(spec.layers.filter((l) => l.className === 'ZeroPadding2D')).toHaveLength(file.includes('stem') ? 4 : 5);
      expectMobileNetAcceptance(spec);
    });
  }
});
