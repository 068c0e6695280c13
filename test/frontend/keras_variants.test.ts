/**
 * Real Keras files as every Keras version writes them. Each variant of the
 * config or of the weight naming is written in that version's form (see
 * test/helpers/keras2_h5_writer.ts and keras3_archive_writer.ts, which follow
 * Keras' own savers) from a model built with TF.js, and must give the same
 * outputs through the reference interpreter as the model's canonical TF.js
 * form. Unsupported variants must fail with one message naming the layer and
 * the option.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { isRecord, type Json, type LayerEntry, type TfjsCase } from '../helpers/keras_case.js';
import { writeKeras2H5, writeKeras3Archive, type H5Flavor, type Keras2Options, type Keras3Options } from '../helpers/keras_writers.js';
import { asCudnnLayer } from '../helpers/cudnn_weights.js';
import { writeConvertedTfjs } from '../helpers/tfjs_converter_writer.js';
import { differences, scratchDir, tfjsCaseOf } from '../helpers/variant_case.js';

let scratch: ReturnType<typeof scratchDir>;
let counter = 0;
beforeAll(async () => {
  scratch = scratchDir();
  await tf.setBackend('cpu');
});
afterAll(() => scratch.remove());

async function h5File(tc: TfjsCase, options?: Keras2Options): Promise<string> {
  return scratch.write(`m${counter++}.h5`, await writeKeras2H5(tc, options));
}

async function kerasFile(tc: TfjsCase, options?: Keras3Options): Promise<string> {
  return scratch.write(`m${counter++}.keras`, await writeKeras3Archive(tc, options));
}

/** Loads a written file and compares it with the canonical form. */
async function expectSameModel(file: string, tc: TfjsCase): Promise<void> {
  expect(differences(await loadKerasFile(file), tc)).toEqual([]);
}

const H5_FLAVORS: H5Flavor[] = ['keras-2.1', 'keras-2.2', 'tf2', 'keras-3'];
const ARCHIVE_VERSIONS = ['3.5.0', '2.15.0', '2.14.0', '2.13.1', '2.12.0'];

/** Every layer config of a saved config, whatever its nesting (containers, wrappers). */
function eachLayerConfig(config: unknown, visit: (className: string, config: Json) => void): void {
  if (Array.isArray(config)) {
    for (const x of config) eachLayerConfig(x, visit);
    return;
  }
  if (!isRecord(config)) return;
  if (typeof config.class_name === 'string' && isRecord(config.config)) visit(config.class_name, config.config);
  for (const v of Object.values(config)) eachLayerConfig(v, visit);
}

/** Applies `change` to the config of the layer named `name` in a saved config. */
function editLayer(name: string, change: (config: Json) => void): (config: Json) => Json {
  return (config) => {
    let found = false;
    eachLayerConfig(config, (_c, layer) => {
      if (layer.name === name) {
        change(layer);
        found = true;
      }
    });
    if (!found) throw new Error(`no layer '${name}' in the written config`);
    return config;
  };
}

function seq(name: string, layers: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({ name, layers });
}

/** A copy of a Sequential case whose layer `host` has `activation`, with the layer `folded` (that activation, written as a layer in the canonical form) removed. */
function withActivation(tc: TfjsCase, host: string, activation: unknown, folded?: string): TfjsCase {
  const topology = structuredClone(tc.topology);
  const config = topology.config as { layers: LayerEntry[] };
  config.layers = config.layers.filter((l) => l.config.name !== folded);
  const layer = config.layers.find((l) => l.config.name === host);
  if (!layer) throw new Error(`no layer ${host}`);
  layer.config.activation = activation;
  return { topology, weights: tc.weights };
}

/** Keras 2 (and Keras 3 legacy .h5) serialized object, and the module form of tf-keras 2.13+ / Keras 3. */
const keras2Object = (className: string, config: Json): Json => ({ class_name: className, config });
const moduleObject = (module: string, className: string, config: unknown, registered: string | null = null): Json => ({
  module,
  class_name: className,
  config,
  registered_name: registered,
});
const POLICY = moduleObject('keras', 'DTypePolicy', { name: 'float32' });

/** Dense(8, activation) -> [optional activation layer] -> Dense(3). */
async function mlp(activation: string, activationLayer?: tf.layers.Layer): Promise<TfjsCase> {
  const layers: tf.layers.Layer[] = [tf.layers.dense({ units: 8, activation: activation as 'relu', inputShape: [5], name: 'hidden' })];
  if (activationLayer) layers.push(activationLayer);
  layers.push(tf.layers.dense({ units: 3, name: 'out' }));
  return tfjsCaseOf(seq('mlp', layers));
}

/** Conv1D -> BatchNormalization -> LSTM -> Dense: every kind of initializer / regularizer / constraint option, trainable and not. */
async function convRnnCase(): Promise<TfjsCase> {
  return tfjsCaseOf(
    seq('conv_rnn', [
      tf.layers.conv1d({ filters: 4, kernelSize: 2, activation: 'relu', inputShape: [6, 3], name: 'conv' }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', name: 'lstm' }),
      tf.layers.dense({ units: 2, name: 'out' }),
    ]),
  );
}

describe('activation given as an object (Keras: activation=layers.ReLU() and friends)', () => {
  const reluConfig = (extra: Json) => ({ name: 're_lu', trainable: true, max_value: null, negative_slope: 0, threshold: 0, ...extra });

  it('Keras 2.2-2.12 .h5: {class_name: "ReLU", config} means relu', async () => {
    const canonical = await mlp('relu');
    const variant = withActivation(canonical, 'hidden', keras2Object('ReLU', reluConfig({ dtype: 'float32' })));
    for (const flavor of ['keras-2.2', 'tf2'] as const) await expectSameModel(await h5File(variant, { flavor }), canonical);
  });

  it('tf-keras 2.13+ .h5 and Keras 3 .keras / .h5: the module form with registered_name and build_config', async () => {
    const canonical = await mlp('relu6');
    const tfKeras = { ...moduleObject('keras.layers', 'ReLU', reluConfig({ dtype: 'float32', max_value: 6 })), build_config: { input_shape: [null, 8] } };
    await expectSameModel(await h5File(withActivation(canonical, 'hidden', tfKeras), { flavor: 'tf2' }), canonical);
    // One ReLU instance used by several layers is written with a shared_object_id (ObjectSharingScope).
    const keras3 = {
      ...moduleObject('keras.layers', 'ReLU', reluConfig({ dtype: POLICY, max_value: 6 })),
      build_config: { input_shape: [null, 8] },
      shared_object_id: 140211,
    };
    const variant = withActivation(canonical, 'hidden', keras3);
    await expectSameModel(await kerasFile(variant), canonical);
    await expectSameModel(await h5File(variant, { flavor: 'keras-3' }), canonical);
  });

  it('LeakyReLU, ELU, ThresholdedReLU and Softmax objects keep their options (alpha / negative_slope, theta)', async () => {
    const leaky = await mlp('linear', tf.layers.leakyReLU({ alpha: 0.1, name: 'act' }));
    const leaky2 = keras2Object('LeakyReLU', { name: 'leaky_re_lu', trainable: true, dtype: 'float32', alpha: 0.1 });
    await expectSameModel(await h5File(withActivation(leaky, 'hidden', leaky2, 'act'), { flavor: 'tf2' }), leaky);
    const leaky3 = moduleObject('keras.layers', 'LeakyReLU', { name: 'leaky_re_lu', trainable: true, dtype: POLICY, negative_slope: 0.1 });
    await expectSameModel(await kerasFile(withActivation(leaky, 'hidden', leaky3, 'act')), leaky);

    const elu = await mlp('linear', tf.layers.elu({ name: 'act' }));
    await expectSameModel(await h5File(withActivation(elu, 'hidden', keras2Object('ELU', { name: 'elu', alpha: 1 }), 'act')), elu);
    const thresholded = await mlp('linear', tf.layers.thresholdedReLU({ theta: 0.3, name: 'act' }));
    const theta = keras2Object('ThresholdedReLU', { name: 'thresholded_re_lu', theta: 0.3 });
    await expectSameModel(await h5File(withActivation(thresholded, 'hidden', theta, 'act'), { flavor: 'keras-2.2' }), thresholded);
    const softmax = await mlp('softmax');
    const softmax3 = moduleObject('keras.layers', 'Softmax', { name: 'softmax', trainable: true, dtype: POLICY, axis: -1 });
    await expectSameModel(await kerasFile(withActivation(softmax, 'hidden', softmax3)), softmax);
  });

  it('an Activation layer object, and function objects as Keras 3 and tf-keras serialize_keras_object write them', async () => {
    const tanh = await mlp('tanh');
    const activation = keras2Object('Activation', { name: 'activation', trainable: true, dtype: 'float32', activation: 'tanh' });
    await expectSameModel(await h5File(withActivation(tanh, 'hidden', activation)), tanh);
    const relu = await mlp('relu');
    // serialize_keras_object(keras.activations.relu): the `function` class is not exported, so module is `builtins`.
    const builtin = moduleObject('builtins', 'function', 'relu', 'function');
    // serialize_with_public_fn: the function's public module.
    const publicFn = moduleObject('keras.activations', 'function', 'relu', 'relu');
    for (const fn of [builtin, publicFn]) {
      await expectSameModel(await kerasFile(withActivation(relu, 'hidden', fn)), relu);
      await expectSameModel(await h5File(withActivation(relu, 'hidden', fn), { flavor: 'tf2' }), relu);
    }
  });

  it('recurrent layers take objects for activation and recurrent_activation', async () => {
    const lstm = tf.layers.lstm({ units: 4, activation: 'tanh', recurrentActivation: 'sigmoid', inputShape: [6, 3], name: 'lstm' });
    const canonical = await tfjsCaseOf(seq('rnn', [lstm, tf.layers.dense({ units: 2, name: 'out' })]));
    const edit = editLayer('lstm', (c) => {
      c.activation = moduleObject('keras.layers', 'Activation', { name: 'activation', trainable: true, dtype: POLICY, activation: 'tanh' });
      c.recurrent_activation = moduleObject('builtins', 'function', 'sigmoid', 'function');
    });
    await expectSameModel(await kerasFile(canonical, { config: edit }), canonical);
  });

  it('refuses activations it cannot lower, naming the layer and the option', async () => {
    const relu = await mlp('relu');
    const prelu = withActivation(relu, 'hidden', keras2Object('PReLU', { name: 'p_re_lu', alpha_initializer: { class_name: 'Zeros', config: {} } }));
    const preluFile = await h5File(prelu);
    await expect(loadKerasFile(preluFile)).rejects.toThrow(
      `layer 'hidden' (Dense) in ${preluFile}: option 'activation' is a 'PReLU' object; tfc supports an activation name, ` +
        'a Keras activation function object or one of the weightless activation layers Activation, ELU, LeakyReLU, ReLU, Softmax, ThresholdedReLU',
    );
    const custom = withActivation(relu, 'hidden', moduleObject('__main__', 'function', 'my_package>scaled_tanh', 'my_package>scaled_tanh'));
    const customFile = await kerasFile(custom);
    await expect(loadKerasFile(customFile)).rejects.toThrow(
      new RegExp(`^layer 'hidden' \\(Dense\\) in ${customFile}: option 'activation' names an unknown activation .*my_package>scaled_tanh`),
    );
    const badRelu = withActivation(relu, 'hidden', keras2Object('ReLU', { max_value: -1 }));
    const badFile = await h5File(badRelu);
    await expect(loadKerasFile(badFile)).rejects.toThrow(`layer 'hidden' (Dense) in ${badFile}: option 'activation' (ReLU): option 'max_value' must be >= 0, got -1`);
  });
});

describe('initializers, regularizers, constraints and dtype policies in every serialization', () => {

  const TRAINING_ONLY = /_(initializer|regularizer|constraint)$/;
  type Form = (key: string) => unknown;

  /** Sets every training-only option (and activity_regularizer) of every layer to `form(key)`. */
  const everyTrainingOption = (form: Form) => (config: Json) => {
    eachLayerConfig(config, (className, layer) => {
      if (className === 'InputLayer' || !('name' in layer)) return;
      for (const key of Object.keys(layer)) if (TRAINING_ONLY.test(key)) layer[key] = form(key);
      layer.activity_regularizer = form('activity_regularizer');
    });
    return config;
  };

  const kind = (key: string) => /_(initializer|regularizer|constraint)$/.exec(key)![1];
  const STRINGS: Record<string, string> = { initializer: 'glorot_uniform', regularizer: 'l2', constraint: 'non_neg' };
  const KERAS2: Record<string, Json> = {
    initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } },
    regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } },
    constraint: { class_name: 'MaxNorm', config: { max_value: 2, axis: 0 } },
  };
  const keras3Form = (key: string) => {
    const o = KERAS2[kind(key)];
    return moduleObject(`keras.${kind(key)}s`, String(o.class_name), o.config);
  };
  const forms: [string, Form][] = [
    ['null', () => null],
    ['names', (key) => STRINGS[kind(key)]],
    ['Keras 2 {class_name, config} objects', (key) => KERAS2[kind(key)]],
    ['Keras 3 / tf-keras 2.13+ objects with module and registered_name', keras3Form],
  ];

  it.each(forms)('%s are ignored at inference', async (_label, form) => {
    const canonical = await convRnnCase();
    const config = everyTrainingOption(form);
    await expectSameModel(await h5File(canonical, { config }), canonical);
    await expectSameModel(await kerasFile(canonical, { config }), canonical);
  });

  it('reads dtype as a name, a Keras 2 Policy, a tf-keras Policy object and a Keras 3 DTypePolicy', async () => {
    const canonical = await convRnnCase();
    const policies = [
      keras2Object('Policy', { name: 'float32' }),
      moduleObject('keras.mixed_precision', 'Policy', { name: 'float32' }),
      moduleObject('keras', 'DTypePolicy', { name: 'float32' }),
    ];
    for (const policy of policies) {
      const config = (c: Json) => {
        eachLayerConfig(c, (className, layer) => {
          if ('dtype' in layer && className !== 'Policy' && className !== 'DTypePolicy') layer.dtype = policy;
        });
        return c;
      };
      await expectSameModel(await h5File(canonical, { config }), canonical);
    }
  });
});

/** Writes the case in every .h5 flavor and every .keras version and checks each against the canonical form. */
async function expectEveryForm(canonical: TfjsCase): Promise<void> {
  for (const flavor of H5_FLAVORS) {
    const file = await h5File(canonical, { flavor });
    expect(differences(await loadKerasFile(file), canonical), `.h5 written by ${flavor}`).toEqual([]);
  }
  for (const kerasVersion of ARCHIVE_VERSIONS) {
    const file = await kerasFile(canonical, { kerasVersion });
    expect(differences(await loadKerasFile(file), canonical), `.keras written by Keras ${kerasVersion}`).toEqual([]);
  }
}

describe('weight names and layouts of every Keras version', () => {
  it('recurrent cells, Bidirectional and TimeDistributed: lstm_1/kernel:0, lstm/lstm_cell/kernel:0, lstm/lstm_cell/kernel, cell/vars', async () => {
    const canonical = await tfjsCaseOf(
      seq('rnns', [
        tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [5, 3], name: 'lstm_1' }),
        tf.layers.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', name: 'gru_1' }),
        tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2, returnSequences: true, name: 'simple_rnn_1' }), name: 'bidirectional_1' }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, name: 'dense_1' }), name: 'time_distributed_1' }),
        tf.layers.flatten({ name: 'flatten_1' }),
        tf.layers.dense({ units: 2, name: 'dense_2' }),
      ]),
    );
    await expectEveryForm(canonical);
  });

  it('model.json converted from a TF 2.x .h5 keeps its cell-scoped names (lstm/lstm_cell/kernel)', async () => {
    const canonical = await tfjsCaseOf(
      seq('converted', [
        tf.layers.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [5, 2], name: 'gru' }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', name: 'lstm' }), name: 'bidirectional' }),
        tf.layers.dense({ units: 2, name: 'dense' }),
      ]),
    );
    for (const flavor of ['keras-2.2', 'tf2'] as const) {
      const file = writeConvertedTfjs(canonical, scratch.folder(`converted_${flavor}`), flavor);
      expect(differences(await loadKerasFile(file), canonical), `converted from ${flavor}`).toEqual([]);
    }
  });

  it('layer_names and weight_names split into <name>0, <name>1, ... as Keras does for long lists', async () => {
    const canonical = await convRnnCase();
    await expectSameModel(await h5File(canonical, { chunks: 2 }), canonical);
  });

  it('a Bidirectional LSTM: bidirectional/forward_lstm/lstm_cell/kernel:0 and forward_layer/cell/vars', async () => {
    const canonical = await tfjsCaseOf(
      seq('bi', [
        tf.layers.bidirectional({
          layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', name: 'lstm' }),
          mergeMode: 'concat',
          inputShape: [4, 2],
          name: 'bidirectional',
        }),
        tf.layers.dense({ units: 2, name: 'dense' }),
      ]),
    );
    await expectEveryForm(canonical);
  });
});

describe('nested, multi-output and shared-layer models in every form', () => {
  it('a Sequential nested in a functional model (its weights in one .h5 group, trainable first)', async () => {
    const inner = seq('block', [
      tf.layers.dense({ units: 6, activation: 'tanh', inputShape: [4], name: 'block_dense' }),
      tf.layers.batchNormalization({ name: 'block_bn' }),
      tf.layers.dense({ units: 5, name: 'block_out' }),
    ]);
    const x = tf.input({ shape: [3], name: 'x' });
    const h = tf.layers.dense({ units: 4, activation: 'relu', name: 'stem' }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 2, name: 'head' }).apply(inner.apply(h) as tf.SymbolicTensor) as tf.SymbolicTensor;
    await expectEveryForm(await tfjsCaseOf(tf.model({ inputs: x, outputs: y, name: 'outer' })));
  });

  it('a functional model nested in a Sequential', async () => {
    const x = tf.input({ shape: [4], name: 'inner_x' });
    const a = tf.layers.dense({ units: 5, activation: 'relu', name: 'inner_a' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 5, name: 'inner_b' }).apply(x) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'inner_sum' }).apply([a, b]) as tf.SymbolicTensor;
    const inner = tf.model({ inputs: x, outputs: sum, name: 'inner' });
    const canonical = await tfjsCaseOf(seq('outer', [inner, tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' })]));
    await expectEveryForm(canonical);
  });

  it('a Sequential nested in a Sequential', async () => {
    const inner = seq('inner_seq', [
      tf.layers.dense({ units: 5, activation: 'relu', inputShape: [4], name: 'inner_dense' }),
      tf.layers.dropout({ rate: 0.5, name: 'inner_dropout' }),
      tf.layers.dense({ units: 4, name: 'inner_dense_1' }),
    ]);
    const canonical = await tfjsCaseOf(seq('outer_seq', [inner, tf.layers.dense({ units: 2, name: 'head' })]));
    await expectEveryForm(canonical);
  });

  it('a multi-output model keeps its output order (not the layer order)', async () => {
    const x = tf.input({ shape: [4], name: 'x' });
    const h = tf.layers.dense({ units: 6, activation: 'relu', name: 'trunk' }).apply(x) as tf.SymbolicTensor;
    const first = tf.layers.dense({ units: 2, name: 'first' }).apply(h) as tf.SymbolicTensor;
    const second = tf.layers.dense({ units: 3, activation: 'sigmoid', name: 'second' }).apply(h) as tf.SymbolicTensor;
    const canonical = await tfjsCaseOf(tf.model({ inputs: x, outputs: [second, h, first], name: 'heads' }));
    await expectEveryForm(canonical);
    const spec = await loadKerasFile(await kerasFile(canonical));
    expect(spec.outputs.map((o) => o.name)).toEqual(['second', 'trunk', 'first']);
  });

  it('shared layers and a shared nested Sequential called twice', async () => {
    const a = tf.input({ shape: [4], name: 'a' });
    const b = tf.input({ shape: [4], name: 'b' });
    const shared = tf.layers.dense({ units: 4, activation: 'relu', name: 'shared' });
    const sub = seq('sub', [tf.layers.dense({ units: 3, inputShape: [4], name: 'sub_dense' })]);
    const ua = sub.apply(shared.apply(a) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const ub = sub.apply(shared.apply(b) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'joined' }).apply([ua, ub]) as tf.SymbolicTensor;
    await expectEveryForm(await tfjsCaseOf(tf.model({ inputs: [a, b], outputs: joined, name: 'siamese' })));
  });
});

describe('inputs, outputs and calls as Keras 3 writes them', () => {
  async function twoBranch(): Promise<TfjsCase> {
    const a = tf.input({ shape: [4], name: 'a' });
    const b = tf.input({ shape: [4], name: 'b' });
    const left = tf.layers.dense({ units: 3, activation: 'tanh', name: 'left' }).apply(a) as tf.SymbolicTensor;
    const right = tf.layers.dense({ units: 3, name: 'right' }).apply(b) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([left, right]) as tf.SymbolicTensor;
    const both = tf.layers.concatenate({ name: 'both' }).apply([sum, left]) as tf.SymbolicTensor;
    return tfjsCaseOf(tf.model({ inputs: [a, b], outputs: [both, sum], name: 'two_branch' }));
  }

  it('merge layers take a list of tensors; kwargs such as training and mask are call options', async () => {
    const canonical = await twoBranch();
    const withKwargs = (config: Json) => {
      for (const layer of (config.config as { layers: Json[] }).layers) {
        for (const node of (layer.inbound_nodes ?? []) as Json[]) node.kwargs = { training: false, mask: null };
      }
      return config;
    };
    await expectSameModel(await kerasFile(canonical, { config: withKwargs }), canonical);
  });

  it('inputs and outputs given as dicts are flattened in sorted key order, as Keras does', async () => {
    const canonical = await twoBranch();
    const asDicts = (config: Json) => {
      const c = config.config as Json;
      c.input_layers = { a: ['a', 0, 0], b: ['b', 0, 0] };
      c.output_layers = { z_sum: ['sum', 0, 0], p_both: ['both', 0, 0] };
      return config;
    };
    const spec = await loadKerasFile(await kerasFile(canonical, { config: asDicts }));
    expect(spec.outputs.map((o) => o.name)).toEqual(['both', 'sum']);
    expect(differences(spec, canonical)).toEqual([]);
  });

  it('the input shape as batch_input_shape, batch_shape or input_shape on a first layer without an InputLayer', async () => {
    const canonical = await mlp('relu');
    for (const key of ['batch_shape', 'input_shape']) {
      const config = editLayer('hidden', (c) => {
        c[key] = key === 'input_shape' ? [5] : c.batch_input_shape;
        delete c.batch_input_shape;
      });
      await expectSameModel(await h5File(canonical, { flavor: 'keras-2.2', config }), canonical);
    }
    const built = (config: Json) => {
      const c = config.config as { layers: Json[]; build_input_shape?: unknown };
      c.layers = c.layers.filter((l) => l.class_name !== 'InputLayer');
      c.build_input_shape = [null, 5];
      return config;
    };
    await expectSameModel(await kerasFile(canonical, { config: built }), canonical);
  });

  it('refuses a tensor passed as a keyword argument, naming the layer', async () => {
    const canonical = await twoBranch();
    const maskTensor = (config: Json) => {
      const sum = (config.config as { layers: Json[] }).layers.find((l) => l.name === 'sum')!;
      (sum.inbound_nodes as Json[])[0].kwargs = { mask: { class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: ['a', 0, 0] } } };
      return config;
    };
    const file = await kerasFile(canonical, { config: maskTensor });
    await expect(loadKerasFile(file)).rejects.toThrow(`${file}: layer 'sum': call 0 passes a tensor as a keyword argument (mask)`);
  });
});

describe('class names particular TF versions wrote', () => {
  it('BatchNormalizationV1 (TF 1.13-1.15) and UnifiedLSTM (TF 2.0 previews) are BatchNormalization and LSTM', async () => {
    const canonical = await convRnnCase();
    const renamed = (config: Json) => {
      const rename: Record<string, string> = { BatchNormalization: 'BatchNormalizationV1', LSTM: 'UnifiedLSTM' };
      const layers = (config.config as { layers: Json[] }).layers;
      for (const l of layers) l.class_name = rename[String(l.class_name)] ?? l.class_name;
      return config;
    };
    await expectSameModel(await h5File(canonical, { config: renamed }), canonical);
  });
});

describe('CuDNNLSTM and CuDNNGRU (Keras 2.0.9-2.3, tf.keras 1.x) with weights in cuDNN layout', () => {
  it('a CuDNNLSTM is the LSTM it was converted from', async () => {
    const canonical = await tfjsCaseOf(
      seq('cudnn', [
        tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [5, 4], name: 'lstm' }),
        tf.layers.flatten({ name: 'flatten' }),
        tf.layers.dense({ units: 2, name: 'dense' }),
      ]),
    );
    const cudnn = asCudnnLayer(canonical, 'lstm');
    for (const flavor of ['keras-2.2', 'tf2'] as const) await expectSameModel(await h5File(cudnn, { flavor }), canonical);
  });

  it('Bidirectional(CuDNNLSTM): both directions in cuDNN layout', async () => {
    const canonical = await tfjsCaseOf(
      seq('bi_cudnn', [
        tf.layers.bidirectional({
          layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', name: 'lstm' }),
          inputShape: [4, 2],
          name: 'bidirectional',
        }),
        tf.layers.dense({ units: 2, name: 'dense' }),
      ]),
    );
    await expectSameModel(await h5File(asCudnnLayer(canonical, 'bidirectional'), { flavor: 'keras-2.2' }), canonical);
  });

  it('a CuDNNGRU is a GRU with reset_after', async () => {
    const units = 3;
    const random = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + k) * 0.6);
    const canonical: TfjsCase = {
      topology: {
        class_name: 'Sequential',
        config: {
          name: 'gru_model',
          layers: [
            {
              class_name: 'GRU',
              config: { name: 'gru', units, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: true, batch_input_shape: [null, 5, 4] },
            },
            { class_name: 'Dense', config: { name: 'dense', units: 2 } },
          ],
        },
      },
      weights: new Map([
        ['gru/kernel', { shape: [4, 3 * units], data: random(12 * units, 1) }],
        ['gru/recurrent_kernel', { shape: [units, 3 * units], data: random(3 * units * units, 2) }],
        ['gru/bias', { shape: [2, 3 * units], data: random(6 * units, 3) }],
        ['dense/kernel', { shape: [units, 2], data: random(2 * units, 4) }],
        ['dense/bias', { shape: [2], data: random(2, 5) }],
      ]),
    };
    await expectSameModel(await h5File(asCudnnLayer(canonical, 'gru'), { flavor: 'keras-2.2' }), canonical);
  });
});

describe('variants tfc cannot import fail with one message naming the layer and the option', () => {
  it('a quantized Keras 3 layer (QuantizedDTypePolicy)', async () => {
    const canonical = await mlp('relu');
    const quantized = editLayer('hidden', (c) => {
      c.dtype = moduleObject('keras', 'QuantizedDTypePolicy', { mode: 'int8', source_name: 'float32' });
    });
    const file = await kerasFile(canonical, { config: quantized });
    await expect(loadKerasFile(file)).rejects.toThrow(
      `${file}: layer 'hidden': option 'dtype': is a quantized dtype policy (int8); tfc imports float weights only: save the model before quantizing it`,
    );
  });

  it('a custom registered layer class (Keras 3 registered_name)', async () => {
    const canonical = await mlp('relu');
    const custom = (config: Json) => {
      const layers = (config.config as { layers: Json[] }).layers;
      const hidden = layers.find((l) => (l.config as Json).name === 'hidden')!;
      Object.assign(hidden, { module: 'my_package.layers', class_name: 'ScaledDense', registered_name: 'my_package>ScaledDense' });
      return config;
    };
    const file = await kerasFile(canonical, { config: custom });
    await expect(loadKerasFile(file)).rejects.toThrow(`layer 'hidden' (ScaledDense) in ${file}: unknown layer class 'ScaledDense'`);
  });
});
