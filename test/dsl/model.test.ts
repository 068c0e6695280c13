import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { input, isTracedModel, layers, model, ModelBuildError, sequential } from '../../compiler/frontend/dsl/index.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { interpret } from '../../compiler/interpreter/interpreter.js';
import { kerasCaseDir } from '../helpers/conformance.js';

const mnistJson = path.join(kerasCaseDir('mnist_cnn'), 'model.json');

describe('DSL models', () => {
  it('names layers like Keras, per model build, keeping explicit names', () => {
    const m = sequential([
      layers.dense({ units: 4, inputShape: [3], name: 'dense' }),
      layers.dense({ units: 4 }),
      layers.reLU(),
      layers.pReLU(),
      layers.dense({ units: 2, name: 'head' }),
    ]);
    const spec = m.toSpec();
    expect(spec.layers.map((l) => l.name)).toEqual(['dense', 'dense_1', 're_lu', 'p_re_lu', 'head']);
    expect(spec.inputs).toEqual([{ name: 'dense_input', dtype: 'f32', shape: ['N', 3] }]);
    expect(spec.outputs).toEqual([{ name: 'head', ref: { layer: 'head', call: 0, output: 0 } }]);
    expect(spec.kind).toBe('Sequential');
    expect(spec.name).toBe('sequential');
    // A second model starts numbering afresh.
    const other = sequential([layers.dense({ units: 1, inputShape: [2] })], { name: 'other' });
    expect(other.toSpec().layers[0].name).toBe('dense');
  });

  it('writes Keras configs: snake_case options, Keras defaults, initializers in {class_name, config} form', () => {
    const m = sequential([
      layers.conv2d({ filters: 8, kernelSize: 3, kernelInitializer: 'heNormal', inputShape: [10, 10, 1] }),
      layers.maxPooling2d({ poolSize: [2, 3] }),
    ]);
    const [conv, pool] = m.toSpec().layers;
    expect(conv.rawConfig).toMatchObject({
      name: 'conv2d',
      filters: 8,
      kernel_size: [3, 3],
      strides: [1, 1],
      padding: 'valid',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: true,
      kernel_initializer: { class_name: 'HeNormal', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      batch_input_shape: [null, 10, 10, 1],
      dtype: 'float32',
    });
    expect(pool.rawConfig).toMatchObject({ pool_size: [2, 3], strides: [2, 3], padding: 'valid' });
    expect([...conv.weights.keys()]).toEqual(['kernel', 'bias']);
    expect(conv.weights.get('kernel')!.shape).toEqual([3, 3, 1, 8]);
  });

  it('GRU defaults to Keras reset_after=true (bias [2, 3u])', () => {
    const m = sequential([layers.gru({ units: 4, inputShape: [5, 3] })]);
    const gru = m.toSpec().layers[0];
    expect(gru.rawConfig).toMatchObject({ reset_after: true, recurrent_activation: 'sigmoid' });
    expect(gru.weights.get('bias')!.shape).toEqual([2, 12]);
  });

  it('functional models: several inputs and outputs, shared layers, multi-output layers', () => {
    const a = input({ shape: [6, 3], name: 'seq' });
    const b = input({ shape: [3] });
    const [seq, h, c] = layers.lstm({ units: 4, returnSequences: true, returnState: true }).applyAll(a);
    expect(seq.shape).toEqual([null, 6, 4]);
    expect(h.shape).toEqual([null, 4]);
    const head = layers.dense({ units: 4 });
    const left = head.apply(h);
    const right = head.apply(layers.dense({ units: 4 }).apply(b));
    const out = layers.add().apply([left, right, c]);
    const m = model({ inputs: [a, b], outputs: [out, seq], name: 'two_heads' });
    const spec = m.toSpec();
    expect(spec.kind).toBe('Functional');
    expect(spec.inputs.map((i) => i.name)).toEqual(['seq', 'input']);
    expect(spec.layers.map((l) => l.name)).toEqual(['lstm', 'dense', 'dense_1', 'add']);
    expect(spec.calls.filter((k) => k.layer === 'dense').map((k) => k.index)).toEqual([0, 1]);
    expect(spec.outputs.map((o) => o.name)).toEqual(['add', 'lstm']);
    expect(m.inputs).toEqual([a, b]);
    expect(m.outputs).toEqual([out, seq]);
    expect(() => layers.lstm({ units: 2, returnState: true }).apply(a)).toThrow(/has 3 outputs; use applyAll/);
    const { graph } = lowerModel(spec);
    // The shared dense layer has one set of weights.
    expect([...graph.weights.keys()].filter((k) => k.startsWith('dense/'))).toEqual(['dense/kernel', 'dense/bias']);
    const outs = interpret(graph, [
      { dtype: 'f32', shape: [2, 6, 3], data: new Float32Array(36).fill(0.5) },
      { dtype: 'f32', shape: [2, 3], data: new Float32Array(6).fill(-1) },
    ]);
    expect(outs.map((t) => t.shape)).toEqual([[2, 4], [2, 6, 4]]);
  });

  it('accepts an input() first in a sequential model and int32 inputs', () => {
    const m = sequential([input({ shape: [5], dtype: 'int32', name: 'ids' }), layers.embedding({ inputDim: 7, outputDim: 3 })]);
    const spec = m.toSpec();
    expect(spec.inputs).toEqual([{ name: 'ids', dtype: 'i32', shape: ['N', 5] }]);
    const [out] = interpret(lowerModel(spec).graph, [{ dtype: 'i32', shape: [1, 5], data: Int32Array.of(0, 1, 2, 3, 6) }]);
    expect(out.shape).toEqual([1, 5, 3]);
  });

  it('initial weights are deterministic for the same layer names', () => {
    const build = () => sequential([layers.dense({ units: 3, inputShape: [4] })]).toSpec().layers[0].weights.get('kernel')!.data;
    expect(build()).toEqual(build());
  });

  it('is a TracedModel for the CLI', () => {
    const m = sequential([layers.dense({ units: 1, inputShape: [2] })]);
    expect(isTracedModel(m)).toBe(true);
    expect(isTracedModel({ toSpec: () => null, summary: () => '' })).toBe(true);
    expect(isTracedModel({ toSpec: 1 })).toBe(false);
    expect(isTracedModel(null)).toBe(false);
    expect(m.summary()).toContain('Total params: 3');
  });

  it('loadWeights matches layers by name and checks shapes', async () => {
    const good = sequential([
      layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      layers.flatten(),
      layers.dense({ units: 10, name: 'dense_1', activation: 'softmax', kernelInitializer: 'zeros' }),
    ]);
    // dense_1 in the file is [64, 10]; here it is [10816, 10].
    await expect(good.loadWeights(mnistJson)).rejects.toThrow(
      /layer 'dense_1' \(Dense\): weight 'kernel' is f32\[64,10\] in the file, the model expects f32\[10816,10\]/,
    );
    // Nothing was loaded: the zeros kernel is still there.
    expect(good.toSpec().layers[2].weights.get('kernel')!.data.every((v) => v === 0)).toBe(true);

    const missing = sequential([layers.dense({ units: 3, inputShape: [4], name: 'not_there' })]);
    const err = await missing.loadWeights(mnistJson).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelBuildError);
    expect((err as Error).message).toMatch(/layer 'not_there' \(Dense\) is not in the file \(layers with weights there: conv2d, conv2d_1, dense, dense_1\)/);

    const conv = sequential([layers.conv2d({ filters: 16, kernelSize: 3, inputShape: [28, 28, 1] })]);
    await conv.loadWeights(mnistJson);
    expect(Array.from(conv.toSpec().layers[0].weights.get('bias')!.data).some((v) => v !== 0)).toBe(true);
  });
});
