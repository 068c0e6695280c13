/**
 * Spatial reshaping layers: ZeroPadding1D/2D (`pad`), Cropping1D/2D
 * (`slice`) and UpSampling2D (`resize_nearest` / `resize_bilinear`).
 */
import { formatType } from '../ir/types.js';
import { ConfigReader, show } from './config.js';
import { registerWithAliases, staticDim } from './helpers.js';
import { LayerError, type LayerDef } from './layer.js';

/**
 * Keras' per-axis amounts: `n` (all sides), `[a, b]` (a on both sides of
 * axis 1, b on both sides of axis 2 in 2-D; before/after in 1-D) or
 * `[[before, after], ...]`. Returns `[before, after]` for each spatial axis.
 */
function readSides(r: ConfigReader, key: string, rank: number, fallback: number): number[][] {
  const v = r.value(key) ?? fallback;
  const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  const bad = () => r.error(key, `must be a non-negative integer, a list of ${rank === 1 ? 2 : rank} or [[before, after], ...], got ${show(v)}`);
  if (isCount(v)) return new Array(rank).fill(0).map(() => [v, v]);
  if (!Array.isArray(v)) throw bad();
  if (rank === 1 && v.length === 2 && v.every(isCount)) return [[v[0], v[1]]];
  if (rank > 1 && v.length === rank && v.every(isCount)) return v.map((n: number) => [n, n]);
  if (v.length === rank && v.every((p) => Array.isArray(p) && p.length === 2 && p.every(isCount))) return v as number[][];
  throw bad();
}

function expectRank(t: { shape: unknown[] }, rank: number, type: string): void {
  if (t.shape.length !== rank) throw new LayerError(`expects a rank-${rank} input (batch first), got ${type}`);
}

interface SidesConfig {
  sides: number[][];
}

function zeroPadding(className: string, rank: number): LayerDef<SidesConfig> {
  return {
    className,
    parseConfig(raw, where) {
      const r = new ConfigReader(raw, where);
      r.channelsLast();
      const c = { sides: readSides(r, 'padding', rank, 1) };
      r.finish();
      return c;
    },
    weights: () => [],
    lower(b, c, [x]) {
      expectRank(x.type, rank + 2, formatType(x.type));
      return [b.op('pad', [x], { pads: [[0, 0], ...c.sides, [0, 0]] })];
    },
  };
}

function cropping(className: string, rank: number): LayerDef<SidesConfig> {
  return {
    className,
    parseConfig(raw, where) {
      const r = new ConfigReader(raw, where);
      r.channelsLast();
      const c = { sides: readSides(r, 'cropping', rank, rank === 1 ? 1 : 0) };
      r.finish();
      return c;
    },
    weights: () => [],
    lower(b, c, [x]) {
      expectRank(x.type, rank + 2, formatType(x.type));
      c.sides.forEach(([before, after], i) => {
        const size = staticDim(x.type, i + 1, className);
        if (before + after >= size) throw new LayerError(`cropping ${before}+${after} leaves nothing of axis ${i + 1} (size ${size})`);
      });
      // slice: an end <= 0 counts from the end of the axis, so -after (or 0) crops `after`.
      const begin = [0, ...c.sides.map(([before]) => before), 0];
      const end = [0, ...c.sides.map(([, after]) => -after), 0];
      return [b.op('slice', [x], { begin, end })];
    },
  };
}

interface UpSamplingConfig {
  size: number[];
  interpolation: 'nearest' | 'bilinear';
}

export const UpSampling2D: LayerDef<UpSamplingConfig> = {
  className: 'UpSampling2D',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    r.channelsLast();
    const c = {
      size: r.positiveInts('size', 2, 2),
      interpolation: r.string('interpolation', ['nearest', 'bilinear'] as const, 'nearest'),
    };
    r.finish();
    return c;
  },
  weights: () => [],
  lower(b, c, [x]) {
    expectRank(x.type, 4, formatType(x.type));
    const size = [staticDim(x.type, 1, 'UpSampling2D') * c.size[0], staticDim(x.type, 2, 'UpSampling2D') * c.size[1]];
    if (c.interpolation === 'nearest') return [b.op('resize_nearest', [x], { size })];
    // Keras resizes with half-pixel centres (tf.image.resize).
    return [b.op('resize_bilinear', [x], { size, half_pixel_centers: true })];
  },
};

registerWithAliases(zeroPadding('ZeroPadding1D', 1));
registerWithAliases(zeroPadding('ZeroPadding2D', 2));
registerWithAliases(cropping('Cropping1D', 1));
registerWithAliases(cropping('Cropping2D', 2));
registerWithAliases(UpSampling2D);
