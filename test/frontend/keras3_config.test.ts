/** Keras 3 config.json -> Keras 2 style model JSON, checked on hand-written Keras 3 configs. */
import { describe, expect, it } from 'vitest';
import { kerasMajorVersion, kerasModelJsonFromKeras3 } from '../../compiler/frontend/keras/keras3_config.js';

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const tensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 5, 3], dtype: 'float32', keras_history: [layer, 0, 0] } });
const lstm = (name: string, goBackwards: boolean) => ({
  module: 'keras.layers',
  class_name: 'LSTM',
  config: { name, units: 2, activation: 'tanh', recurrent_activation: 'hard_sigmoid', go_backwards: goBackwards, use_cudnn: 'auto', dtype: policy },
  registered_name: null,
});

function functional(backward: unknown): unknown {
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'f',
      trainable: true,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 5, 3], dtype: 'float32', sparse: false, optional: false, name: 'x' }, registered_name: null, name: 'x', inbound_nodes: [] },
        {
          module: 'keras.layers',
          class_name: 'Bidirectional',
          config: { name: 'bi', merge_mode: 'concat', dtype: policy, layer: lstm('forward_lstm', false), backward_layer: backward },
          registered_name: null,
          build_config: { input_shape: [null, 5, 3] },
          name: 'bi',
          inbound_nodes: [{ args: [tensor('x')], kwargs: { training: false } }],
        },
        {
          module: 'keras.layers',
          class_name: 'LeakyReLU',
          config: { name: 'leaky', negative_slope: 0.1, dtype: policy },
          registered_name: null,
          name: 'leaky',
          inbound_nodes: [{ args: [tensor('bi')], kwargs: {} }],
        },
        {
          module: 'keras.layers',
          class_name: 'Add',
          config: { name: 'add', dtype: policy },
          registered_name: null,
          name: 'add',
          inbound_nodes: [{ args: [[tensor('bi'), tensor('leaky')]], kwargs: {} }],
        },
      ],
      input_layers: ['x', 0, 0],
      output_layers: ['add', 0, 0],
    },
    registered_name: null,
    build_config: { input_shape: null },
    compile_config: null,
  };
}

describe('kerasModelJsonFromKeras3', () => {
  it('rewrites a Keras 3 functional config into Keras 2 form', () => {
    const got = kerasModelJsonFromKeras3(functional(lstm('backward_lstm', true)), { file: 'm.keras', kerasVersion: '3.5.0' });
    const lstm2 = { name: 'lstm', units: 2, activation: 'tanh', recurrent_activation: 'hard_sigmoid_v3', go_backwards: false, dtype: 'float32' };
    expect(got).toEqual({
      class_name: 'Model',
      keras_version: '3.5.0',
      backend: 'keras3',
      config: {
        name: 'f',
        trainable: true,
        input_layers: ['x', 0, 0],
        output_layers: ['add', 0, 0],
        layers: [
          { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 5, 3], dtype: 'float32', sparse: false, name: 'x' }, inbound_nodes: [] },
          {
            class_name: 'Bidirectional',
            name: 'bi',
            config: { name: 'bi', merge_mode: 'concat', dtype: 'float32', layer: { class_name: 'LSTM', config: lstm2 } },
            inbound_nodes: [[['x', 0, 0, { training: false }]]],
          },
          { class_name: 'LeakyReLU', name: 'leaky', config: { name: 'leaky', alpha: 0.1, dtype: 'float32' }, inbound_nodes: [[['bi', 0, 0, {}]]] },
          { class_name: 'Add', name: 'add', config: { name: 'add', dtype: 'float32' }, inbound_nodes: [[['bi', 0, 0, {}], ['leaky', 0, 0, {}]]] },
        ],
      },
    });
  });

  it("keeps Keras 2's hard_sigmoid for archives written by Keras 2.x", () => {
    const got = kerasModelJsonFromKeras3(functional(lstm('backward_lstm', true)), { file: 'm.keras', kerasVersion: '2.15.0' });
    const bi = (got.config as { layers: { config: { layer: { config: { recurrent_activation: string } } } }[] }).layers[1];
    expect(bi.config.layer.config.recurrent_activation).toBe('hard_sigmoid');
    expect([kerasMajorVersion('3.4.1'), kerasMajorVersion('2.15.0'), kerasMajorVersion('unknown')]).toEqual([3, 2, 3]);
  });

  it('rejects a backward layer that is not the mirror of the forward one', () => {
    const custom = lstm('backward_lstm', true);
    (custom.config as Record<string, unknown>).activation = 'relu';
    expect(() => kerasModelJsonFromKeras3(functional(custom), { file: 'm.keras', kerasVersion: '3.5.0' })).toThrow(
      "m.keras: layer 'bi': option 'backward_layer': a backward layer that is not the wrapped layer run backwards is not supported",
    );
  });

  it('rejects tensors passed as keyword arguments and subclassed models', () => {
    const model = functional(null) as { config: { layers: { inbound_nodes: unknown[] }[] } };
    model.config.layers[2].inbound_nodes = [{ args: [tensor('bi')], kwargs: { mask: tensor('x') } }];
    expect(() => kerasModelJsonFromKeras3(model, { file: 'm.keras', kerasVersion: '3.5.0' })).toThrow(
      "m.keras: layer 'leaky': call 0 passes a tensor as a keyword argument (mask)",
    );
    expect(() => kerasModelJsonFromKeras3({ class_name: 'MyModel', config: {} }, { file: 'm.keras', kerasVersion: '3' })).toThrow(
      "m.keras: config.json describes a 'MyModel'",
    );
  });

  it("takes a Sequential's input shape from build_input_shape when it has no InputLayer", () => {
    const seq = {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, dtype: policy } }], build_input_shape: [null, 7] },
    };
    const got = kerasModelJsonFromKeras3(seq, { file: 'm.keras', kerasVersion: '3.5.0' });
    expect((got.config as { layers: { config: unknown }[] }).layers[0].config).toEqual({ name: 'd', units: 2, dtype: 'float32', batch_input_shape: [null, 7] });
  });
});
