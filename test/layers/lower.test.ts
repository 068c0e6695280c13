import { describe, expect, it } from 'vitest';
import { f32, GraphBuilder, interpret, printGraph, verifyGraph } from '../../compiler/index.js';
import { lowerModel, lowerModelInto } from '../../compiler/frontend/lower.js';
import { getLayer, LayerError, type ModelSpec } from '../../compiler/layers/index.js';
import { chainSpec, random, randomTensor } from './harness.js';

const parse = (className: string, config: Record<string, unknown>) => getLayer(className, `layer 'l' (${className})`).parseConfig(config, `layer 'l' (${className})`);

describe('layer config errors name the layer and the option', () => {
  it('unknown activation', () => {
    expect(() => parse('Dense', { units: 2, activation: 'sparkle' })).toThrow(/layer 'l' \(Dense\): option 'activation' names an unknown activation "sparkle"/);
  });

  it('channels_first', () => {
    expect(() => parse('Conv2D', { filters: 2, kernel_size: 3, data_format: 'channels_first' })).toThrow(
      /layer 'l' \(Conv2D\): option 'data_format' must be 'channels_last'/,
    );
  });

  it('options that change results and are not implemented', () => {
    expect(() => parse('LSTM', { units: 2, stateful: true })).toThrow(/option 'stateful' is not supported/);
    expect(() => parse('Embedding', { input_dim: 5, output_dim: 2, mask_zero: true })).toThrow(/option 'mask_zero'/);
    expect(() => parse('Conv2DTranspose', { filters: 2, kernel_size: 3, output_padding: [1, 1] })).toThrow(/option 'output_padding'/);
    expect(() => parse('Conv2DTranspose', { filters: 2, kernel_size: 3, dilation_rate: 2 })).toThrow(/option 'dilation_rate' must be 1/);
    expect(() => parse('Dense', { units: 2, mystery: 3 })).toThrow(/layer 'l' \(Dense\): option 'mystery' is not supported/);
  });

  it('training-only and null options are accepted', () => {
    expect(() =>
      parse('Dense', { units: 2, name: 'd', trainable: false, kernel_regularizer: { class_name: 'L2' }, mystery: null, dtype: 'float32' }),
    ).not.toThrow();
  });

  it('unknown layer class lists the supported ones', () => {
    expect(() => getLayer('Frobnicate', "layer 'f' (Frobnicate)")).toThrow(/unknown layer class 'Frobnicate' \(see `tfc layers`/);
  });
});

describe('weight specs', () => {
  it('use Keras default initializers unless the config gives one', () => {
    const dense = getLayer('Dense', 'd');
    const specs = dense.weights(dense.parseConfig({ units: 3 }, 'd'), [{ dtype: 'f32', shape: ['N', 5] }]);
    expect(specs.map((s) => [s.name, s.shape, (s.initializer as { class_name: string }).class_name])).toEqual([
      ['kernel', [5, 3], 'GlorotUniform'],
      ['bias', [3], 'Zeros'],
    ]);
    const lstm = getLayer('LSTM', 'l');
    const lstmSpecs = lstm.weights(lstm.parseConfig({ units: 2, kernel_initializer: { class_name: 'HeNormal', config: { seed: 3 } } }, 'l'), [
      { dtype: 'f32', shape: ['N', 4, 3] },
    ]);
    expect(lstmSpecs.map((s) => s.initializer)).toEqual([
      { class_name: 'HeNormal', config: { seed: 3 } },
      { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
      { class_name: 'Zeros', config: {} },
    ]);
    const bn = getLayer('BatchNormalization', 'b');
    const bnSpecs = bn.weights(bn.parseConfig({ center: false }, 'b'), [{ dtype: 'f32', shape: ['N', 4] }]);
    expect(bnSpecs.map((s) => [s.name, s.trainable])).toEqual([
      ['gamma', true],
      ['moving_mean', false],
      ['moving_variance', false],
    ]);
  });

  it('Bidirectional prefixes the inner weights with forward_/backward_ and the inner name', () => {
    const bi = getLayer('Bidirectional', 'b');
    const config = bi.parseConfig({ layer: { class_name: 'GRU', config: { name: 'gru', units: 2 } } }, 'b');
    const names = bi.weights(config, [{ dtype: 'f32', shape: ['N', 3, 4] }]).map((s) => `${s.name}:${s.shape.join('x')}`);
    expect(names).toEqual([
      'forward_gru/kernel:4x6',
      'forward_gru/recurrent_kernel:2x6',
      'forward_gru/bias:2x6',
      'backward_gru/kernel:4x6',
      'backward_gru/recurrent_kernel:2x6',
      'backward_gru/bias:2x6',
    ]);
  });
});

describe('lowerModel', () => {
  const rand = random(31);
  const kernel = randomTensor([3, 4], rand);
  const bias = randomTensor([4], rand);

  it('checks weight shapes, names the layer and the source', () => {
    const spec = chainSpec(['N', 16], [{ name: 'dense_1', className: 'Dense', config: { units: 4 }, weights: { kernel, bias } }]);
    expect(() => lowerModel(spec)).toThrow(LayerError);
    expect(() => lowerModel(spec)).toThrow("layer 'dense_1' (Dense): weight 'kernel' has shape [3,4], expected [16,4]");
    spec.calls[0].source = 'model.ts:7:12';
    expect(() => lowerModel(spec)).toThrow("layer 'dense_1' (Dense) at model.ts:7:12: weight 'kernel' has shape [3,4], expected [16,4]");
  });

  it('reports a missing or unexpected weight', () => {
    const missing = chainSpec(['N', 3], [{ name: 'd', className: 'Dense', config: { units: 4 }, weights: { kernel } }]);
    expect(() => lowerModel(missing)).toThrow("layer 'd' (Dense): missing weight 'bias' (expected f32[4])");
    const extra = chainSpec(['N', 3], [{ name: 'd', className: 'Dense', config: { units: 4, use_bias: false }, weights: { kernel, bias } }]);
    expect(() => lowerModel(extra)).toThrow(/layer 'd' \(Dense\): unexpected weight 'bias'/);
  });

  it('wraps shape errors raised while lowering', () => {
    const spec = chainSpec(['N', 5], [{ name: 'pool', className: 'MaxPooling2D', config: {} }]);
    expect(() => lowerModel(spec)).toThrow(/^layer 'pool' \(MaxPooling2D\): expects a rank-4 input/);
  });

  it('keeps input and output names, records call output types', () => {
    const spec = chainSpec(['N', 3], [
      { name: 'd', className: 'Dense', config: { units: 4, activation: 'relu' }, weights: { kernel, bias } },
      { name: 'r', className: 'RepeatVector', config: { n: 2 } },
    ]);
    const { graph, callOutputTypes } = lowerModel(spec);
    verifyGraph(graph);
    expect(graph.inputs.map((v) => v.name)).toEqual(['x']);
    expect(graph.outputs.map((o) => o.name)).toEqual(['y']);
    expect(callOutputTypes.get('d#0')).toEqual([{ dtype: 'f32', shape: ['N', 4] }]);
    expect(callOutputTypes.get('r#0')).toEqual([{ dtype: 'f32', shape: ['N', 2, 4] }]);
    expect(printGraph(graph)).toContain('ref="d/kernel"');
  });

  it('creates a shared layer’s weights once and applies them at every call', () => {
    const def = getLayer('Dense', 'd');
    const spec: ModelSpec = {
      name: 'shared',
      kind: 'Functional',
      inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 3] }],
      layers: [
        { name: 'd', className: 'Dense', def, config: def.parseConfig({ units: 3, use_bias: false }, 'd'), rawConfig: {}, weights: new Map([['kernel', f32([3, 3], kernel.data.slice(0, 9))]]) },
      ],
      calls: [
        { layer: 'd', index: 0, inputs: [{ layer: 'x', call: 0, output: 0 }] },
        { layer: 'd', index: 1, inputs: [{ layer: 'd', call: 0, output: 0 }] },
      ],
      outputs: [
        { name: 'once', ref: { layer: 'd', call: 0, output: 0 } },
        { name: 'twice', ref: { layer: 'd', call: 1, output: 0 } },
      ],
    };
    const { graph } = lowerModel(spec);
    expect(graph.nodes.filter((n) => n.op === 'const')).toHaveLength(1);
    const x = f32([1, 3], [1, -2, 0.5]);
    const [once, twice] = interpret(graph, [x]);
    const k = kernel.data.slice(0, 9);
    const matvec = (v: ArrayLike<number>) => [0, 1, 2].map((j) => v[0] * k[j] + v[1] * k[3 + j] + v[2] * k[6 + j]);
    const want1 = matvec(x.data);
    const want2 = matvec(want1);
    want1.forEach((v, i) => expect(once.data[i]).toBeCloseTo(v, 5));
    want2.forEach((v, i) => expect(twice.data[i]).toBeCloseTo(v, 5));
  });

  it('lowerModelInto lowers a nested model on given values', () => {
    const inner = chainSpec(['N', 3], [{ name: 'd', className: 'Dense', config: { units: 4 }, weights: { kernel, bias } }]);
    const b = new GraphBuilder('outer');
    const x = b.input('features', { dtype: 'f32', shape: ['N', 3] });
    const [y] = lowerModelInto(b, inner, [x]);
    b.output('out', b.op('relu', [y]));
    verifyGraph(b.graph);
    expect(() => lowerModelInto(b, inner, [y])).toThrow(/input 'x' is f32\[N,3\], got f32\[N,4\]/);
  });
});
