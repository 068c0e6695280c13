/**
 * Turns the DSL's TF.js-style options (camelCase) into Keras configs
 * (snake_case, Keras defaults), so the shared LayerDefs validate them.
 */
import type { DType, TensorType } from '../../ir/types.js';
import type { RawConfig } from '../../layers/layer.js';
import { InitializerError, toInitializerConfig, type InitializerConfig } from '../initializers.js';
import { ModelBuildError } from './errors.js';
import { defaultLayerName, Layer } from './layer.js';
import { callerLocation } from './source.js';
import { toIRShape } from './symbolic.js';

/** An initializer: a name in any Keras / TF.js spelling, or a config object. */
export type InitializerOption =
  | string
  | { className: string; config?: Record<string, unknown> }
  | { class_name: string; config?: Record<string, unknown> };

export type DTypeName = 'float32' | 'int32';

/** Options every layer takes. */
export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  /** Input shape without the batch dimension: makes this the first layer of a sequential model. */
  inputShape?: (number | null)[];
  /** Input shape with the batch dimension (`null` = any batch size). */
  batchInputShape?: (number | null)[];
  dtype?: DTypeName;
}

const COMMON_KEYS = new Set(['name', 'inputShape', 'batchInputShape', 'dtype']);

/** `useBias` -> `use_bias`; also TF.js activation names such as `hardSigmoid`. */
export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function toDType(name: string | undefined, where: string): DType {
  if (name === undefined || name === 'float32' || name === 'f32') return 'f32';
  if (name === 'int32' || name === 'i32') return 'i32';
  throw new Error(`${where}: dtype must be 'float32' or 'int32', got ${JSON.stringify(name)}`);
}

function inputTypeOf(options: LayerOptions, where: string): TensorType | undefined {
  const { inputShape, batchInputShape } = options;
  if (inputShape && batchInputShape) throw new Error(`${where}: give inputShape or batchInputShape, not both`);
  const dims = batchInputShape ?? (inputShape ? [null, ...inputShape] : undefined);
  if (!dims) return undefined;
  if (!dims.every((d, i) => (d === null && i === 0) || (typeof d === 'number' && Number.isInteger(d) && d > 0))) {
    throw new Error(`${where}: input shape ${JSON.stringify(dims)} must be positive integers (only the batch dimension may be null)`);
  }
  return { dtype: toDType(options.dtype, where), shape: toIRShape(dims) };
}

/** Keys whose value is a tuple of `rank` ints that users may give as one int. */
const TUPLE_KEYS = new Set(['kernel_size', 'strides', 'dilation_rate', 'pool_size', 'size']);

function convertValue(key: string, value: unknown, rank: number, where: string): unknown {
  if (key.endsWith('_initializer')) return toInitializerConfig(value, `${where}: option '${key}'`);
  if ((key === 'activation' || key === 'recurrent_activation') && typeof value === 'string') return snakeCase(value);
  if (rank > 0 && TUPLE_KEYS.has(key) && typeof value === 'number') return new Array<number>(rank).fill(value);
  return value;
}

export interface FactorySpec {
  className: string;
  /** Keras defaults, snake_case. */
  defaults: RawConfig;
  /** Rank of the spatial tuples (`kernel_size` etc.): 1 or 2; 0 for none. */
  rank?: number;
  inner?: Layer;
  /** Extra conversions for options that are not a plain rename. */
  convert?: (config: RawConfig, where: string) => void;
}

/** Builds a DSL layer from TF.js-style options, recording the user's call site. */
export function makeLayer(spec: FactorySpec, options: LayerOptions & object): Layer {
  const source = callerLocation();
  const where = `layer '${options.name ?? defaultLayerName(spec.className)}' (${spec.className})`;
  try {
    if ('layer' in options && !(spec.inner instanceof Layer)) {
      throw new Error(`${where}: option 'layer' must be a layer made by layers.<name>(...)`);
    }
    const config: RawConfig = { ...spec.defaults };
    for (const [key, value] of Object.entries(options)) {
      if (COMMON_KEYS.has(key) || key === 'layer' || value === undefined) continue;
      const snake = snakeCase(key);
      config[snake] = convertValue(snake, value, spec.rank ?? 0, where);
    }
    spec.convert?.(config, where);
    const inputType = inputTypeOf(options, where);
    return new Layer({
      className: spec.className,
      config,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(spec.inner ? { inner: spec.inner } : {}),
      ...(inputType ? { inputType } : {}),
      ...(source !== undefined ? { source } : {}),
    });
  } catch (e) {
    if (e instanceof ModelBuildError) throw e;
    if (e instanceof InitializerError || e instanceof Error) throw new ModelBuildError(e.message, source, { cause: e });
    throw e;
  }
}

/** Keras' default initializers, in `{class_name, config}` form. */
export const INIT = {
  glorotUniform: (): InitializerConfig => ({ class_name: 'GlorotUniform', config: { seed: null } }),
  orthogonal: (): InitializerConfig => ({ class_name: 'Orthogonal', config: { gain: 1, seed: null } }),
  zeros: (): InitializerConfig => ({ class_name: 'Zeros', config: {} }),
  ones: (): InitializerConfig => ({ class_name: 'Ones', config: {} }),
  uniform: (): InitializerConfig => ({ class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } }),
};

/** `2` -> `[[2,2],[2,2]]`, `[1,2]` -> `[[1,1],[2,2]]`, pairs pass through (ZeroPadding2D / Cropping2D). */
export function symmetricPairs(key: string): (config: RawConfig, where: string) => void {
  return (config, where) => {
    const v = config[key];
    if (typeof v === 'number') config[key] = [[v, v], [v, v]];
    else if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) {
      config[key] = [[v[0], v[0]], [v[1], v[1]]];
    } else if (!(Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2))) {
      throw new Error(`${where}: ${key} must be a number, [rows, cols] or [[top, bottom], [left, right]], got ${JSON.stringify(v)}`);
    }
  };
}
