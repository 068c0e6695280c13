/**
 * Gives every weight of a DSL model random values, as a trained model has:
 * non-zero biases and batch-norm shifts, batch-norm scales and variances
 * around 1 (variances positive), so no rewrite sees an x+0 or x*1 that real
 * files would not have.
 */
import type { Model } from '../../compiler/frontend/dsl/index.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import { SeededRandom } from '../../compiler/util/random.js';

export function randomizeWeights(model: Model, seed: number): void {
  const r = new SeededRandom(seed);
  for (const layer of model.layers) {
    const specs = layer.weightSpecs();
    if (specs.length === 0) continue;
    const data = new Map<string, Tensor>();
    for (const w of specs) {
      const positive = /(^|\/)(gamma|moving_variance)$/.test(w.name);
      const n = w.shape.reduce((a, b) => a * b, 1);
      data.set(w.name, tensor(w.dtype, w.shape, Array.from({ length: n }, () => (positive ? r.uniform(0.5, 1.5) : r.uniform(-0.5, 0.5)))));
    }
    layer.setWeights(data);
  }
}
