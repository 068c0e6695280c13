/**
 * A GRU config without `reset_after` means what the Keras that wrote the file
 * meant (compiler/frontend/keras/version_defaults.ts): Keras before 2.1.3
 * wrote no `reset_after` and had only the GRU that TF.js implements
 * (reset_after false); tf.keras 2 and Keras 3 default to true.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKerasFile, modelSpecFromKeras } from '../../compiler/frontend/keras/index.js';
import { gruResetAfterDefault } from '../../compiler/frontend/keras/version_defaults.js';
import { f32 } from '../../compiler/ir/tensor.js';
import type { RecurrentConfig } from '../../compiler/layers/recurrent.js';
import { isRecord, type Json } from '../helpers/keras_case.js';
import { writeKeras2H5 } from '../helpers/keras_writers.js';
import { compareTensors } from '../helpers/tolerance.js';
import { run, sampleInputs, scratchDir, tfjsCaseOf } from '../helpers/variant_case.js';

let scratch: ReturnType<typeof scratchDir>;
beforeAll(async () => {
  scratch = scratchDir();
  await tf.setBackend('cpu');
});
afterAll(() => scratch.remove());

/** Removes `reset_after` from every GRU config, at any nesting (as Keras before 2.1.3 wrote them). */
function withoutResetAfter(config: unknown): void {
  if (Array.isArray(config)) config.forEach(withoutResetAfter);
  if (!isRecord(config)) return;
  if (config.class_name === 'GRU' && isRecord(config.config)) delete config.config.reset_after;
  Object.values(config).forEach(withoutResetAfter);
}

/** A one-GRU Sequential topology as `keras_version` would have written it, without `reset_after`. */
function gruTopology(kerasVersion: string): Json {
  return {
    class_name: 'Sequential',
    keras_version: kerasVersion,
    config: {
      name: 'seq',
      layers: [{ class_name: 'GRU', config: { name: 'gru', units: 2, batch_input_shape: [null, 4, 3] } }],
    },
  };
}

describe('GRU reset_after missing from the config', () => {
  it.each([
    ['1.2.2', false],
    ['2', false],
    ['2.0.8', false],
    ['2.1.2', false],
    ['2.1.6', false],
    ['2.2.4', false],
    ['2.3.1', false],
    ['2.1.6-tf', false],
    ['2.2.4-tf', false],
    ['2.3.0-tf', true],
    ['2.4.0', true],
    ['2.15.0', true],
    ['3.5.0', true],
    ['tfjs-layers 4.22.0', false],
  ])('keras_version %s means reset_after %s', (version, expected) => {
    expect(gruResetAfterDefault(version)).toBe(expected);
    const spec = modelSpecFromKeras(gruTopology(version), 'model.json');
    expect((spec.layers[0].config as RecurrentConfig).resetAfter).toBe(expected);
  });

  it('without a keras_version the layer keeps its own default (Keras 3: true)', () => {
    expect(gruResetAfterDefault(undefined)).toBeUndefined();
    const topology = gruTopology('x');
    delete topology.keras_version;
    expect((modelSpecFromKeras(topology, 'model.json').layers[0].config as RecurrentConfig).resetAfter).toBe(true);
  });

  it('a Keras 2.1 .h5 GRU (plain and in Bidirectional) without reset_after loads with its [3u] bias and matches TF.js', async () => {
    const model = tf.sequential({
      name: 'old_gru',
      layers: [
        tf.layers.gru({ units: 3, returnSequences: true, inputShape: [5, 2], name: 'gru_1' }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, name: 'gru_2' }), name: 'bidirectional_1' }),
        tf.layers.dense({ units: 2, name: 'dense_1' }),
      ],
    });
    const tc = await tfjsCaseOf(model);
    const file = scratch.write(
      'old_gru.h5',
      await writeKeras2H5(tc, {
        flavor: 'keras-2.1',
        config: (config) => {
          withoutResetAfter(config);
          return config;
        },
      }),
    );
    const spec = await loadKerasFile(file);
    expect(spec.layers.find((l) => l.name === 'gru_1')?.weights.get('bias')?.shape).toEqual([9]);

    // TF.js, with the same weights, is the oracle: its GRU is the reset_after false one.
    model.setWeights([...tc.weights.values()].map((t) => tf.tensor(t.data, t.shape)));
    const [x] = sampleInputs(spec);
    const want = model.predict(tf.tensor(x.data as Float32Array, x.shape as number[])) as tf.Tensor;
    const [got] = run(spec, [x]);
    expect(compareTensors(got, f32(want.shape, want.dataSync()))).toBeNull();
  });
});
