import { describe, expect, it } from 'vitest';
import { computeFans, initializeWeight, InitializerError, toInitializerConfig } from '../../compiler/frontend/initializers.js';

function stats(data: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    min = Math.min(min, data[i]);
    max = Math.max(max, data[i]);
  }
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) sq += (data[i] - mean) ** 2;
  return { mean, variance: sq / data.length, min, max };
}

const init = (name: unknown, shape: number[], weight = 'layer/kernel') => initializeWeight(name, shape, 'f32', weight);

describe('initializers', () => {
  it('computes Keras fans for dense and conv kernels', () => {
    expect(computeFans([16, 32])).toEqual({ fanIn: 16, fanOut: 32 });
    expect(computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(computeFans([5, 4, 8])).toEqual({ fanIn: 20, fanOut: 40 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });

  it('is deterministic: same seed same values, unseeded values follow the weight name', () => {
    const seeded = { class_name: 'GlorotUniform', config: { seed: 7 } };
    expect(init(seeded, [20, 30], 'a/kernel').data).toEqual(init(seeded, [20, 30], 'b/kernel').data);
    expect(init('glorot_uniform', [20, 30], 'a/kernel').data).toEqual(init('glorot_uniform', [20, 30], 'a/kernel').data);
    expect(init('glorot_uniform', [20, 30], 'a/kernel').data).not.toEqual(init('glorot_uniform', [20, 30], 'b/kernel').data);
    expect(init({ class_name: 'GlorotUniform', config: { seed: 8 } }, [20, 30]).data).not.toEqual(init(seeded, [20, 30]).data);
  });

  it('accepts Keras, snake_case and TF.js spellings', () => {
    for (const s of ['HeNormal', 'he_normal', 'heNormal', { className: 'HeNormal' }, { class_name: 'HeNormal', config: {} }]) {
      expect(toInitializerConfig(s, 'x').class_name).toBe('HeNormal');
    }
    expect(() => toInitializerConfig('glorious', "layer 'd' option 'kernel_initializer'")).toThrow(
      /layer 'd' option 'kernel_initializer': unknown initializer "glorious"/,
    );
    expect(() => init({ class_name: 'Ones', config: { seed: 1.5 } }, [2])).toThrow(InitializerError);
  });

  it('glorot_uniform stays within sqrt(6 / (fan_in + fan_out)) with the uniform variance', () => {
    const shape = [3, 3, 40, 60];
    const { fanIn, fanOut } = computeFans(shape);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const s = stats(init('glorot_uniform', shape).data);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(0.98 * limit);
    expect(Math.abs(s.mean)).toBeLessThan(0.02 * limit);
    expect(s.variance / (limit * limit / 3)).toBeCloseTo(1, 1);
  });

  it('normal variance-scaling family hits the target variance and truncates at 2 sigma', () => {
    const shape = [200, 300];
    const cases: [string, number][] = [
      ['glorot_normal', 2 / (200 + 300)],
      ['he_normal', 2 / 200],
      ['lecun_normal', 1 / 200],
    ];
    for (const [name, variance] of cases) {
      const s = stats(init(name, shape).data);
      expect(s.variance / variance).toBeCloseTo(1, 1);
      // The untruncated stddev is sqrt(variance) / 0.8796; nothing lies beyond two of them.
      const bound = (2 * Math.sqrt(variance)) / 0.87962566103423978;
      expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(bound * (1 + 1e-6));
    }
  });

  it('uniform variance-scaling family uses sqrt(3 * scale / fan)', () => {
    const shape = [100, 400];
    const cases: [unknown, number][] = [
      ['he_uniform', Math.sqrt(6 / 100)],
      ['lecun_uniform', Math.sqrt(3 / 100)],
      [{ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_out', distribution: 'uniform' } }, Math.sqrt(6 / 400)],
    ];
    for (const [name, limit] of cases) {
      const s = stats(init(name, shape).data);
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(s.max).toBeLessThanOrEqual(limit);
      expect(s.variance / (limit * limit / 3)).toBeCloseTo(1, 1);
    }
  });

  it('random normal / uniform / truncated normal honour their options', () => {
    const n = stats(init({ class_name: 'RandomNormal', config: { mean: 1, stddev: 2 } }, [100, 100]).data);
    expect(n.mean).toBeCloseTo(1, 1);
    expect(Math.sqrt(n.variance)).toBeCloseTo(2, 1);
    const u = stats(init({ class_name: 'RandomUniform', config: { minval: 2, maxval: 3 } }, [5000]).data);
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThanOrEqual(3);
    expect(u.mean).toBeCloseTo(2.5, 1);
    const t = stats(init({ class_name: 'TruncatedNormal', config: { stddev: 0.5 } }, [10000]).data);
    expect(Math.max(-t.min, t.max)).toBeLessThanOrEqual(1);
  });

  it('zeros, ones, constant and identity', () => {
    expect(Array.from(init('zeros', [3]).data)).toEqual([0, 0, 0]);
    expect(Array.from(init('ones', [2, 2]).data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(init({ class_name: 'Constant', config: { value: 0.5 } }, [2]).data)).toEqual([0.5, 0.5]);
    expect(Array.from(init({ class_name: 'Identity', config: { gain: 2 } }, [2, 3]).data)).toEqual([2, 0, 0, 0, 2, 0]);
    expect(() => init('identity', [2, 2, 2])).toThrow(/Identity needs a 2-D weight/);
  });

  it('orthogonal gives orthonormal columns (tall) or rows (wide), times the gain', () => {
    const check = (rows: number, cols: number, gain: number): void => {
      const w = init({ class_name: 'Orthogonal', config: { gain } }, [rows, cols]).data;
      const n = Math.min(rows, cols);
      // Gram matrix of the shorter side's vectors.
      const at = (i: number, k: number) => (rows >= cols ? w[k * cols + i] : w[i * cols + k]);
      const len = Math.max(rows, cols);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let k = 0; k < len; k++) dot += at(i, k) * at(j, k);
          expect(dot).toBeCloseTo(i === j ? gain * gain : 0, 4);
        }
      }
    };
    check(40, 12, 1);
    check(12, 40, 1);
    check(16, 16, 1.5);
    // Recurrent kernels of LSTMs are [u, 4u]: rows orthonormal.
    check(8, 32, 1);
  });
});
