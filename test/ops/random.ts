/**
 * Seeded random tensors for op tests: the same seed always gives the same
 * values, so a failing case can be rerun exactly.
 */
import type { DType } from '../../compiler/ir/types.js';
import { allocData, sizeOf, type Tensor } from '../../compiler/ir/tensor.js';
import { SeededRandom } from '../../compiler/util/random.js';

/** A function giving seeded floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.next();
}

export interface RandomOptions {
  /** Inclusive lower bound (default -3). */
  min?: number;
  /** Exclusive upper bound (default 3); for i32 the values are integers in [min, max). */
  max?: number;
  /** Element type (default f32); bool gives 0/1 with equal odds. */
  dtype?: DType;
}

/** A tensor of uniform random values in [min, max) drawn from a PRNG seeded with `seed`. */
export function randomTensor(shape: readonly number[], seed: number, opts: RandomOptions = {}): Tensor {
  const { min = -3, max = 3, dtype = 'f32' } = opts;
  const rand = seededRandom(seed);
  const size = sizeOf(shape);
  const data = allocData(dtype, size);
  for (let i = 0; i < size; i++) {
    const u = rand();
    if (dtype === 'bool') data[i] = u < 0.5 ? 0 : 1;
    else if (dtype === 'i32') data[i] = Math.floor(min + u * (max - min));
    else data[i] = min + u * (max - min);
  }
  return { dtype, shape: [...shape], data };
}
