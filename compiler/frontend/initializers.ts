/**
 * Keras' built-in weight initializers, run when the DSL creates a model's
 * weights. Each takes the Keras `{class_name, config}` form (as WeightSpec
 * carries it) and is deterministic: a `seed` in the config seeds our own
 * PRNG; without one, the seed is derived from the weight's full name, so an
 * unseeded model still gets the same weights for the same layer names.
 *
 * The values follow Keras' distributions, not its exact random streams.
 *
 * Weights are lazy (`lazyWeight`): the initializer is checked when the weight
 * is created, but its values are computed only when something reads `data`
 * (lowering to a target, folding), so a summary, an inspect or a trace of a
 * model with huge layers never allocates them.
 */
import { allocData, sizeOf, type Tensor, type TensorData } from '../ir/tensor.js';
import { formatShape, type DType } from '../ir/types.js';
import { formatBytes, LimitError, MAX_TENSOR_ELEMENTS, MAX_WEIGHT_BYTES } from '../limits.js';
import { SeededRandom } from '../util/random.js';

/** An initializer name or config the DSL or a layer def could not use. */
export class InitializerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitializerError';
  }
}

/** Keras' serialized initializer: `{class_name: 'GlorotUniform', config: {seed: 1}}`. */
export interface InitializerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

/** f32 weights are filled in place; i32 and bool ones through doubles, then rounded. */
type Values = Float32Array | Float64Array;

/** FNV-1a hash of a string: the seed of an unseeded weight. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Keras' fan-in / fan-out of a weight shape (kernels: receptive field times channels). */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

/** Keras class names by every spelling users write: snake_case, camelCase, PascalCase. */
const CLASS_NAMES = [
  'Zeros',
  'Ones',
  'Constant',
  'RandomNormal',
  'RandomUniform',
  'TruncatedNormal',
  'GlorotUniform',
  'GlorotNormal',
  'HeUniform',
  'HeNormal',
  'LecunUniform',
  'LecunNormal',
  'VarianceScaling',
  'Orthogonal',
  'Identity',
] as const;
type ClassName = (typeof CLASS_NAMES)[number];

const SPELLINGS = new Map<string, ClassName>();
for (const c of CLASS_NAMES) {
  SPELLINGS.set(c.toLowerCase(), c);
  SPELLINGS.set(c.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), c);
}
SPELLINGS.set('zero', 'Zeros');
SPELLINGS.set('one', 'Ones');
SPELLINGS.set('uniform', 'RandomUniform');
SPELLINGS.set('normal', 'RandomNormal');

/** The Keras class name for any accepted spelling, or undefined. */
export function initializerClass(name: string): ClassName | undefined {
  return SPELLINGS.get(name.toLowerCase());
}

export function initializerNames(): string[] {
  return CLASS_NAMES.map((c) => c.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
}

/**
 * Normalizes what a user or a Keras file may write for an initializer (a
 * name, `{class_name, config}` or TF.js' `{className, config}`) into Keras'
 * form. `where` names the layer and option for the error.
 */
export function toInitializerConfig(x: unknown, where: string): InitializerConfig {
  let name: unknown;
  let config: unknown = {};
  if (typeof x === 'string') name = x;
  else if (x !== null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    name = o.class_name ?? o.className;
    config = o.config ?? {};
  }
  const cls = typeof name === 'string' ? initializerClass(name) : undefined;
  if (!cls) {
    throw new InitializerError(
      `${where}: unknown initializer ${JSON.stringify(name ?? x)} (known: ${initializerNames().join(', ')})`,
    );
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new InitializerError(`${where}: initializer config must be an object`);
  }
  return { class_name: cls, config: { ...(config as Record<string, unknown>) } };
}

function num(config: Record<string, unknown>, key: string, dflt: number, where: string): number {
  const v = config[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InitializerError(`${where}: initializer option '${key}' must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function str(config: Record<string, unknown>, key: string, dflt: string, where: string): string {
  const v = config[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new InitializerError(`${where}: initializer option '${key}' must be a string`);
  return v;
}

interface Scaling {
  scale: number;
  mode: 'fan_in' | 'fan_out' | 'fan_avg';
  distribution: 'truncated_normal' | 'untruncated_normal' | 'uniform';
}

/** Variance scaling: the family behind Glorot, He and LeCun. */
function varianceScaling(shape: readonly number[], s: Scaling, rng: SeededRandom, out: Values): void {
  const { fanIn, fanOut } = computeFans(shape);
  const fan = s.mode === 'fan_in' ? fanIn : s.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
  const scale = s.scale / Math.max(1, fan);
  if (s.distribution === 'uniform') {
    const limit = Math.sqrt(3 * scale);
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
  } else if (s.distribution === 'untruncated_normal') {
    const std = Math.sqrt(scale);
    for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
  } else {
    // The stddev of a standard normal truncated to [-2, 2], so the result has the intended variance.
    const std = Math.sqrt(scale) / 0.87962566103423978;
    for (let i = 0; i < out.length; i++) out[i] = std * rng.truncatedNormal();
  }
}

function scalingOf(config: Record<string, unknown>, where: string): Scaling {
  const mode = str(config, 'mode', 'fan_in', where);
  if (mode !== 'fan_in' && mode !== 'fan_out' && mode !== 'fan_avg') {
    throw new InitializerError(`${where}: VarianceScaling mode must be fan_in, fan_out or fan_avg, got '${mode}'`);
  }
  let distribution = str(config, 'distribution', 'truncated_normal', where);
  // Older Keras and TF.js write 'normal' for the truncated normal.
  if (distribution === 'normal') distribution = 'truncated_normal';
  if (distribution !== 'truncated_normal' && distribution !== 'untruncated_normal' && distribution !== 'uniform') {
    throw new InitializerError(
      `${where}: VarianceScaling distribution must be truncated_normal, untruncated_normal or uniform, got '${distribution}'`,
    );
  }
  const scale = num(config, 'scale', 1, where);
  if (!(scale > 0)) throw new InitializerError(`${where}: VarianceScaling scale must be positive, got ${scale}`);
  return { scale, mode, distribution };
}

/** A random matrix with orthonormal rows or columns (whichever is fewer), times `gain`. */
function orthogonal(shape: readonly number[], gain: number, rng: SeededRandom, out: Values, where: string): void {
  if (shape.length < 2) throw new InitializerError(`${where}: Orthogonal needs a weight of rank >= 2, got [${shape.join(',')}]`);
  const cols = shape[shape.length - 1];
  const rows = sizeOf(shape) / cols;
  // Orthonormalize the columns of a tall (m x n, m >= n) Gaussian matrix, then transpose back if needed.
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const q: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    // Modified Gram-Schmidt, twice for numerical orthogonality.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += u[i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= dot * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i] /= norm;
    q.push(v);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
    }
  }
}

/**
 * Checks an initializer for a weight and returns what fills its values.
 * `initializer` is in any form toInitializerConfig accepts; `weightName`
 * (e.g. `dense/kernel`) seeds it when the config has no seed.
 */
function initializerFill(initializer: unknown, shape: readonly number[], weightName: string): (values: Values) => void {
  const where = `weight '${weightName}'`;
  const { class_name: cls, config } = toInitializerConfig(initializer, where);
  const seed = config.seed;
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw new InitializerError(`${where}: initializer seed must be an integer, got ${JSON.stringify(seed)}`);
  }
  const rng = (): SeededRandom => new SeededRandom(typeof seed === 'number' ? seed : seedFromName(weightName));
  const n = (key: string, dflt: number): number => num(config, key, dflt, where);
  const scaled = (s: Scaling) => (values: Values) => varianceScaling(shape, s, rng(), values);
  switch (cls as ClassName) {
    case 'Zeros':
      return () => undefined;
    case 'Ones':
      return (values) => values.fill(1);
    case 'Constant': {
      const value = n('value', 0);
      return (values) => values.fill(value);
    }
    case 'RandomNormal':
    case 'TruncatedNormal': {
      const [mean, std] = [n('mean', 0), n('stddev', 0.05)];
      const truncated = cls === 'TruncatedNormal';
      return (values) => {
        const r = rng();
        for (let i = 0; i < values.length; i++) values[i] = mean + std * (truncated ? r.truncatedNormal() : r.normal());
      };
    }
    case 'RandomUniform': {
      const [min, max] = [n('minval', -0.05), n('maxval', 0.05)];
      return (values) => {
        const r = rng();
        for (let i = 0; i < values.length; i++) values[i] = r.uniform(min, max);
      };
    }
    case 'GlorotUniform':
      return scaled({ scale: 1, mode: 'fan_avg', distribution: 'uniform' });
    case 'GlorotNormal':
      return scaled({ scale: 1, mode: 'fan_avg', distribution: 'truncated_normal' });
    case 'HeUniform':
      return scaled({ scale: 2, mode: 'fan_in', distribution: 'uniform' });
    case 'HeNormal':
      return scaled({ scale: 2, mode: 'fan_in', distribution: 'truncated_normal' });
    case 'LecunUniform':
      return scaled({ scale: 1, mode: 'fan_in', distribution: 'uniform' });
    case 'LecunNormal':
      return scaled({ scale: 1, mode: 'fan_in', distribution: 'truncated_normal' });
    case 'VarianceScaling':
      return scaled(scalingOf(config, where));
    case 'Orthogonal': {
      const gain = n('gain', 1);
      if (shape.length < 2) throw new InitializerError(`${where}: Orthogonal needs a weight of rank >= 2, got [${shape.join(',')}]`);
      return (values) => orthogonal(shape, gain, rng(), values, where);
    }
    case 'Identity': {
      if (shape.length !== 2) throw new InitializerError(`${where}: Identity needs a 2-D weight, got [${shape.join(',')}]`);
      const gain = n('gain', 1);
      return (values) => {
        for (let i = 0; i < Math.min(shape[0], shape[1]); i++) values[i * shape[1] + i] = gain;
      };
    }
  }
}

/** Computes a weight's values, refusing (before allocating) one larger than the limits. */
function materialize(fill: (values: Values) => void, shape: readonly number[], dtype: DType, weightName: string): TensorData {
  const count = sizeOf(shape);
  const bytes = count * (dtype === 'bool' ? 1 : 4);
  if (count > MAX_TENSOR_ELEMENTS || bytes > MAX_WEIGHT_BYTES) {
    throw new LimitError(
      `weight '${weightName}' ${dtype}${formatShape([...shape])} needs ${formatBytes(bytes)}; ` +
        `the limit for a model's weights is ${formatBytes(MAX_WEIGHT_BYTES)} (MAX_WEIGHT_BYTES)`,
    );
  }
  if (dtype === 'f32') {
    const values = new Float32Array(count);
    fill(values);
    return values;
  }
  const values = new Float64Array(count);
  fill(values);
  const data = allocData(dtype, count);
  for (let i = 0; i < count; i++) data[i] = Math.round(values[i]);
  return data;
}

/**
 * A weight whose initializer is checked now and whose values are computed
 * the first time `data` is read (then kept); see the file comment.
 */
export function lazyWeight(initializer: unknown, shape: readonly number[], dtype: DType, weightName: string): Tensor {
  const fill = initializerFill(initializer, shape, weightName);
  let data: TensorData | undefined;
  return {
    dtype,
    shape: [...shape],
    get data(): TensorData {
      data ??= materialize(fill, shape, dtype, weightName);
      return data;
    },
    set data(value: TensorData) {
      data = value;
    },
  };
}

/** Creates a weight's values now (see lazyWeight for the lazy form). */
export function initializeWeight(initializer: unknown, shape: readonly number[], dtype: DType, weightName: string): Tensor {
  const fill = initializerFill(initializer, shape, weightName);
  return { dtype, shape: [...shape], data: materialize(fill, shape, dtype, weightName) };
}
