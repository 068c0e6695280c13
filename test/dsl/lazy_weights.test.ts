/**
 * DSL weights are lazy (issue #9, defect 3): a model with a 40 GB Dense layer
 * (100000 units on 100000 inputs) traces, summarizes, lowers, optimizes and
 * inspects without allocating its weights, and building it fails with one
 * LimitError naming the weight and the limit instead of an allocation crash.
 * Lazy values are the values the initializers always gave.
 */
import { describe, expect, it } from 'vitest';
import { optimizeGraph } from '../../driver/cli/pipeline_options.js';
import { layers, sequential } from '../../compiler/frontend/dsl/index.js';
import { initializeWeight, lazyWeight } from '../../compiler/frontend/initializers.js';
import { withinWeightLimit } from '../../compiler/frontend/dsl/weight_limit.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { inspectGraphs } from '../../compiler/inspect.js';
import { LimitError } from '../../compiler/limits.js';
import { compileWasm } from '../../targets/wasm/index.js';

const MiB = 1024 ** 2;

/** Runs `f` and returns its result with the growth of the resident set it caused. */
function measured<T>(f: () => T): { result: T; rssGrowth: number } {
  const before = process.memoryUsage().rss;
  const result = f();
  return { result, rssGrowth: process.memoryUsage().rss - before };
}

const huge = () => sequential([layers.dense({ units: 100000, inputShape: [100000] })]);

describe('a model with a 40 GB layer', () => {
  it('summarizes without allocating its weights', () => {
    const { result, rssGrowth } = measured(() => huge().summary());
    expect(result).toContain('Total params: 10,000,100,000');
    expect(rssGrowth).toBeLessThan(100 * MiB);
  });

  it('lowers, optimizes and inspects without allocating its weights', () => {
    const { result, rssGrowth } = measured(() => {
      const spec = huge().toSpec();
      const imported = lowerModel(spec).graph;
      const optimized = lowerModel(spec).graph;
      optimizeGraph(optimized, {});
      return inspectGraphs(imported, optimized);
    });
    expect(result.weight_bytes).toBe(40_000_000_000);
    expect(rssGrowth).toBeLessThan(100 * MiB);
  });

  it('fails to build with one error naming the weight and the limit', () => {
    const graph = lowerModel(huge().toSpec()).graph;
    optimizeGraph(graph, {});
    const { result: error, rssGrowth } = measured(() => {
      try {
        compileWasm(graph);
      } catch (e) {
        return e;
      }
      return undefined;
    });
    // A target may check its memory first; either way the error is a LimitError naming the limit.
    expect(error).toBeInstanceOf(LimitError);
    expect((error as Error).message).toMatch(/limit/);
    expect(rssGrowth).toBeLessThan(100 * MiB);
  });

  it('refuses to compute the huge weight, naming the model, its largest weight and the limit', () => {
    const kernel = huge().toSpec().layers[0].weights.get('kernel')!;
    expect(kernel.shape).toEqual([100000, 100000]);
    expect(() => kernel.data).toThrow(
      new LimitError(
        "model 'sequential': its weights need 37.3 GiB (the largest, 'dense/kernel', is f32[100000,100000]); " +
          "the limit for a model's weights is 2 GiB (MAX_WEIGHT_BYTES)",
      ),
    );
  });
});

describe('weights that fit the limit one by one but not together', () => {
  // withinWeightLimit with a small limit stands in for MAX_WEIGHT_BYTES: 3 kernels of 64 bytes and 3 biases of 16, a limit of 170.
  const spec = () => sequential([layers.dense({ units: 4, inputShape: [4] }), layers.dense({ units: 4 }), layers.dense({ units: 4 })]).toSpec();

  it('computes weights until the next one would pass the limit, then refuses naming the total', () => {
    const guarded = withinWeightLimit(spec().layers, 'three', 170);
    expect(guarded[0].weights.get('kernel')!.data).toHaveLength(16);
    expect(guarded[0].weights.get('bias')!.data).toHaveLength(4);
    expect(guarded[1].weights.get('kernel')!.data).toHaveLength(16);
    // Reading a weight again costs nothing more.
    expect(guarded[0].weights.get('kernel')!.data).toHaveLength(16);
    expect(() => guarded[2].weights.get('kernel')!.data).toThrow(
      new LimitError("model 'three': its weights need 240 bytes (the largest, 'dense/kernel', is f32[4,4]); the limit for a model's weights is 170 bytes (MAX_WEIGHT_BYTES)"),
    );
    expect(guarded[1].weights.get('bias')!.data).toHaveLength(4);
  });

  it('leaves a model within the limit untouched', () => {
    const layersWithin = spec().layers;
    expect(withinWeightLimit(layersWithin, 'three', 240)).toBe(layersWithin);
  });
});

describe('one weight over the limit', () => {
  it('is refused when its values are first read, naming it and the limit', () => {
    const kernel = lazyWeight('glorot_uniform', [100000, 100000], 'f32', 'dense/kernel');
    expect(() => kernel.data).toThrow(
      new LimitError("weight 'dense/kernel' f32[100000,100000] needs 37.3 GiB; the limit for a model's weights is 2 GiB (MAX_WEIGHT_BYTES)"),
    );
  });
});

describe('lazy weights', () => {
  const initializers: unknown[] = [
    'zeros',
    'ones',
    { class_name: 'Constant', config: { value: 0.5 } },
    'glorot_uniform',
    'he_normal',
    { class_name: 'RandomNormal', config: { seed: 3 } },
    { class_name: 'TruncatedNormal', config: { stddev: 2 } },
    { class_name: 'RandomUniform', config: { minval: -1, maxval: 2 } },
    { class_name: 'VarianceScaling', config: { mode: 'fan_out', distribution: 'untruncated_normal' } },
    'orthogonal',
    'identity',
  ];

  it.each(initializers)('hold the same values as eager initialization (%j)', (init) => {
    for (const dtype of ['f32', 'i32'] as const) {
      const lazy = lazyWeight(init, [6, 4], dtype, 'layer/kernel');
      const eager = initializeWeight(init, [6, 4], dtype, 'layer/kernel');
      expect(lazy.data).toEqual(eager.data);
      expect(lazy.data).toBe(lazy.data);
    }
  });

  it('check the initializer when created, not when read', () => {
    expect(() => lazyWeight('orthogonal', [4], 'f32', 'layer/bias')).toThrow(/Orthogonal needs a weight of rank >= 2/);
    expect(() => lazyWeight({ class_name: 'Constant', config: { value: 'x' } }, [4], 'f32', 'layer/bias')).toThrow(
      /initializer option 'value' must be a number/,
    );
  });

  it('give a model the same numbers as before: a traced model saved and reloaded keeps its weights', () => {
    const model = sequential([layers.dense({ units: 3, inputShape: [5], kernelInitializer: { className: 'GlorotUniform', config: { seed: 7 } } })]);
    const kernel = model.toSpec().layers[0].weights.get('kernel')!;
    expect(kernel.data).toEqual(initializeWeight({ class_name: 'GlorotUniform', config: { seed: 7 } }, [5, 3], 'f32', 'dense/kernel').data);
  });
});
