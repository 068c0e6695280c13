/**
 * Typed readers for Keras layer configs. Every layer's `parseConfig` reads its
 * options through a `ConfigReader`, which keeps track of the keys it read;
 * `finish()` then rejects any remaining key that could change inference
 * results, so an option tfc does not implement is an error, never a silent skip.
 * Each message names the layer (the `where` string) and the option.
 */
import { LayerError, type RawConfig } from './layer.js';

/** A Keras initializer in its serialized `{class_name, config}` form. */
export interface InitializerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

/**
 * Keys that never change inference results: naming, training-only settings,
 * input declarations the importers handle. Initializers, regularizers and
 * constraints are recognized by their suffix.
 */
const INFERENCE_IRRELEVANT = new Set([
  'name',
  'trainable',
  'dtype',
  'dtype_policy',
  'autocast',
  'batch_input_shape',
  'batch_shape',
  'batch_size',
  'input_shape',
  'input_dim',
  'input_length',
  'sparse',
  'ragged',
  'seed',
  'noise_shape',
  'dropout',
  'recurrent_dropout',
  'implementation',
  'unroll',
  'unit_forget_bias',
  'momentum',
  'fused',
  'synchronized',
  'renorm_momentum',
  'zero_output_for_mask',
  'use_cudnn',
  'lora_rank',
  'lora_alpha',
]);

const TRAINING_ONLY_SUFFIX = /_(initializer|regularizer|constraint)$/;

export class ConfigReader {
  private readonly read = new Set<string>();

  constructor(
    readonly raw: RawConfig,
    readonly where: string,
  ) {}

  /** An error about one option of this layer. */
  error(key: string, problem: string): LayerError {
    return new LayerError(`${this.where}: option '${key}' ${problem}`);
  }

  /** The raw value, marking the key as handled; `null` counts as absent. */
  value(key: string): unknown {
    this.read.add(key);
    const v = this.raw[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  int(key: string, fallback?: number): number {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.error(key, `must be an integer, got ${show(v)}`);
    return v;
  }

  positiveInt(key: string, fallback?: number): number {
    const v = this.int(key, fallback);
    if (v < 1) throw this.error(key, `must be a positive integer, got ${v}`);
    return v;
  }

  float(key: string, fallback?: number): number {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.error(key, `must be a number, got ${show(v)}`);
    return v;
  }

  /** A number, or undefined when absent or null (e.g. ReLU's `max_value`). */
  optionalFloat(key: string): number | undefined {
    if (this.has(key)) return this.float(key);
    this.value(key);
    return undefined;
  }

  bool(key: string, fallback?: boolean): boolean {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false, got ${show(v)}`);
    return v;
  }

  string<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      throw this.error(key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
    }
    return v as T;
  }

  /** An int or a list of `n` ints (`kernel_size: 3` or `[3, 3]`), as a list of `n`. */
  ints(key: string, n: number, fallback?: number | number[]): number[] {
    const v = this.value(key) ?? fallback;
    const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
    if (!Array.isArray(list) || list.length !== n || !list.every((x) => typeof x === 'number' && Number.isInteger(x))) {
      throw this.error(key, `must be an integer or a list of ${n} integers, got ${show(v)}`);
    }
    return list as number[];
  }

  positiveInts(key: string, n: number, fallback?: number | number[]): number[] {
    const list = this.ints(key, n, fallback);
    if (list.some((x) => x < 1)) throw this.error(key, `must be positive, got ${show(list)}`);
    return list;
  }

  /** An int or a list of ints of any length (e.g. normalization axes), as a list. */
  intList(key: string, fallback?: number | number[]): number[] {
    const v = this.value(key) ?? fallback;
    const list = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'number' && Number.isInteger(x))) {
      throw this.error(key, `must be an integer or a non-empty list of integers, got ${show(v)}`);
    }
    return list as number[];
  }

  /** Padding mode, lower-cased (Keras accepts `SAME` too). */
  padding<T extends string>(allowed: readonly T[], fallback: T): T {
    const v = this.value('padding') ?? fallback;
    const lowered = typeof v === 'string' ? v.toLowerCase() : v;
    if (typeof lowered !== 'string' || !(allowed as readonly string[]).includes(lowered)) {
      throw this.error('padding', `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
    }
    return lowered as T;
  }

  /** tfc is channels-last throughout; anything else is rejected. */
  channelsLast(): void {
    const v = this.value('data_format');
    if (v !== undefined && v !== 'channels_last') {
      throw this.error('data_format', `must be 'channels_last' (tfc does not support ${show(v)})`);
    }
  }

  /** Fails unless the option is absent, null or equal to its inference-neutral value. */
  expect(key: string, neutral: unknown, why: string): void {
    const v = this.value(key);
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(neutral)) {
      throw this.error(key, `is not supported: ${why} (got ${show(v)})`);
    }
  }

  /** The initializer config for a weight, or the Keras default. */
  initializer(key: string, fallback: InitializerConfig): InitializerConfig {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (typeof v === 'string') return { class_name: v, config: {} };
    if (typeof v === 'object' && v !== null && typeof (v as { class_name?: unknown }).class_name === 'string') {
      const o = v as { class_name: string; config?: unknown };
      const config = typeof o.config === 'object' && o.config !== null ? (o.config as Record<string, unknown>) : {};
      return { class_name: o.class_name, config };
    }
    throw this.error(key, `must be an initializer name or {class_name, config}, got ${show(v)}`);
  }

  /**
   * Call after reading every supported option: any other key that may change
   * inference results is an error naming it.
   */
  finish(): void {
    for (const [key, v] of Object.entries(this.raw)) {
      if (this.read.has(key) || v === null || v === undefined) continue;
      if (INFERENCE_IRRELEVANT.has(key) || TRAINING_ONLY_SUFFIX.test(key)) continue;
      throw this.error(key, `is not supported by tfc (value ${show(v)})`);
    }
  }
}

/** `hardSigmoid` (TF.js spelling) -> `hard_sigmoid`; snake_case names pass through. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

export const INIT = {
  glorotUniform: (): InitializerConfig => ({ class_name: 'GlorotUniform', config: { seed: null } }),
  orthogonal: (): InitializerConfig => ({ class_name: 'Orthogonal', config: { gain: 1, seed: null } }),
  zeros: (): InitializerConfig => ({ class_name: 'Zeros', config: {} }),
  ones: (): InitializerConfig => ({ class_name: 'Ones', config: {} }),
  embedding: (): InitializerConfig => ({ class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } }),
};
