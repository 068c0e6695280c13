/**
 * Pooling layers. 2-D pooling maps onto `max_pool2d` / `avg_pool2d`; 1-D
 * pooling runs the same ops on a height-1 image (`expand_dims` / `squeeze`);
 * global pooling is a `reduce_mean` / `reduce_max` over the spatial axes.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { formatType } from '../ir/types.js';
import { ConfigReader } from './config.js';
import { registerWithAliases } from './helpers.js';
import { LayerError, type LayerDef } from './layer.js';

interface PoolConfig {
  pool: number[];
  strides: number[];
  padding: 'valid' | 'same';
}

function readPool(raw: Record<string, unknown>, where: string, rank: number): PoolConfig {
  const r = new ConfigReader(raw, where);
  r.channelsLast();
  const pool = r.positiveInts('pool_size', rank, 2);
  // Keras: strides default to the pool size.
  const strides = r.positiveInts('strides', rank, pool);
  const padding = r.padding(['valid', 'same'] as const, 'valid');
  r.finish();
  return { pool, strides, padding };
}

function expectRank(x: Value, rank: number): void {
  if (x.type.shape.length !== rank) throw new LayerError(`expects a rank-${rank} input (batch first), got ${formatType(x.type)}`);
}

function pool2d(op: string, className: string): LayerDef<PoolConfig> {
  return {
    className,
    parseConfig: (raw, where) => readPool(raw, where, 2),
    weights: () => [],
    lower(b, c, [x]) {
      expectRank(x, 4);
      return [b.op(op, [x], { pool: c.pool, strides: c.strides, padding: c.padding })];
    },
  };
}

function pool1d(op: string, className: string): LayerDef<PoolConfig> {
  return {
    className,
    parseConfig: (raw, where) => readPool(raw, where, 1),
    weights: () => [],
    lower(b, c, [x]) {
      expectRank(x, 3);
      const image = b.op('expand_dims', [x], { axis: 1 });
      const pooled = b.op(op, [image], { pool: [1, c.pool[0]], strides: [1, c.strides[0]], padding: c.padding });
      return [b.op('squeeze', [pooled], { axes: [1] })];
    },
  };
}

interface GlobalPoolConfig {
  keepdims: boolean;
}

function globalPool(op: string, className: string, rank: number): LayerDef<GlobalPoolConfig> {
  const axes = rank === 3 ? [1] : [1, 2];
  return {
    className,
    parseConfig(raw, where) {
      const r = new ConfigReader(raw, where);
      r.channelsLast();
      const c = { keepdims: r.bool('keepdims', false) };
      r.finish();
      return c;
    },
    weights: () => [],
    lower(b: GraphBuilder, c, [x]) {
      expectRank(x, rank);
      return [b.op(op, [x], { axes, keepdims: c.keepdims })];
    },
  };
}

registerWithAliases(pool2d('max_pool2d', 'MaxPooling2D'), 'MaxPool2D');
registerWithAliases(pool2d('avg_pool2d', 'AveragePooling2D'), 'AvgPool2D');
registerWithAliases(pool1d('max_pool2d', 'MaxPooling1D'), 'MaxPool1D');
registerWithAliases(pool1d('avg_pool2d', 'AveragePooling1D'), 'AvgPool1D');
registerWithAliases(globalPool('reduce_mean', 'GlobalAveragePooling1D', 3), 'GlobalAvgPool1D');
registerWithAliases(globalPool('reduce_max', 'GlobalMaxPooling1D', 3), 'GlobalMaxPool1D');
registerWithAliases(globalPool('reduce_mean', 'GlobalAveragePooling2D', 4), 'GlobalAvgPool2D');
registerWithAliases(globalPool('reduce_max', 'GlobalMaxPooling2D', 4), 'GlobalMaxPool2D');
