/**
 * Keras' `model.summary()` table for any ModelSpec (DSL-built or imported):
 * one row per layer with its output shape and parameter count, plus
 * `Connected to` for functional models, then the parameter totals.
 * Output shapes come from lowering the model; parameter counts from each
 * layer's WeightSpecs (BatchNormalization's moving statistics and the weights
 * of a layer with `trainable: false` count as non-trainable).
 */
import { sizeOf } from '../ir/tensor.js';
import type { Shape, TensorType } from '../ir/types.js';
import type { LayerInstance, ModelSpec, TensorRef } from '../layers/layer.js';
import { lowerModel } from './lower.js';

/** `(None, 26, 26, 32)`; a rank-1 shape keeps Python's trailing comma: `(None,)`. */
export function formatKerasShape(shape: Shape): string {
  const dims = shape.map((d) => (d === 'N' ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** `1234567` -> `1,234,567`, as Keras prints totals. */
function withCommas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A cell is a list of pieces; a cell too wide for its column wraps between pieces (or inside a long one). */
type Cell = string[];

function wrapCell(cell: Cell, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const piece of cell) {
    if (current.length > 0 && current.length + piece.length > width) {
      lines.push(current);
      current = '';
    }
    current += piece;
    while (current.length > width) {
      lines.push(current.slice(0, width));
      current = current.slice(width);
    }
  }
  if (current.length > 0 || lines.length === 0) lines.push(current);
  return lines;
}

/** Rows of cells laid out at column end positions, with a leading space like Keras. */
function renderRow(cells: Cell[], ends: number[]): string[] {
  const columns = cells.map((cell, i) => {
    const start = i === 0 ? 1 : ends[i - 1];
    return { start, lines: wrapCell(cell, ends[i] - start - 1) };
  });
  const height = Math.max(...columns.map((c) => c.lines.length));
  const out: string[] = [];
  for (let r = 0; r < height; r++) {
    let line = '';
    for (const c of columns) line = line.padEnd(c.start) + (c.lines[r] ?? '');
    out.push(line.trimEnd());
  }
  return out;
}

/** A list cell in Python's repr: `['a', 'b']`, pieces split after each comma. */
function listCell(items: string[]): Cell {
  if (items.length === 0) return ['[]'];
  return items.map((s, i) => `${i === 0 ? '[' : ''}${s}${i === items.length - 1 ? ']' : ', '}`);
}

interface LayerRow {
  layer: LayerInstance;
  outputShape: Cell;
  trainable: number;
  nonTrainable: number;
  connected: string[];
}

export function summarizeModel(spec: ModelSpec): string {
  const { callOutputTypes } = lowerModel(spec);
  const inputTypes = new Map<string, TensorType>(spec.inputs.map((i) => [i.name, { dtype: i.dtype, shape: i.shape }]));
  const typeOf = (ref: TensorRef): TensorType => {
    const input = inputTypes.get(ref.layer);
    if (input) return input;
    const types = callOutputTypes.get(`${ref.layer}#${ref.call}`);
    if (!types || !types[ref.output]) throw new Error(`summary: no output type for ${ref.layer}[${ref.call}][${ref.output}]`);
    return types[ref.output];
  };

  const rows: LayerRow[] = spec.layers.map((layer) => {
    const calls = spec.calls.filter((c) => c.layer === layer.name);
    let outputShape: Cell = ['?'];
    if (calls.length > 1) outputShape = ['multiple'];
    else if (calls.length === 1) {
      const types = callOutputTypes.get(`${layer.name}#${calls[0].index}`) ?? [];
      const shapes = types.map((t) => formatKerasShape(t.shape));
      outputShape = shapes.length === 1 ? shapes : listCell(shapes);
    }
    const frozen = layer.rawConfig.trainable === false;
    let trainable = 0;
    let nonTrainable = 0;
    if (calls.length > 0) {
      for (const w of layer.def.weights(layer.config, calls[0].inputs.map(typeOf))) {
        if (w.trainable && !frozen) trainable += sizeOf(w.shape);
        else nonTrainable += sizeOf(w.shape);
      }
    } else {
      // A layer that is never called: count the weight data it carries.
      const count = [...layer.weights.values()].reduce((s, t) => s + t.data.length, 0);
      if (frozen) nonTrainable += count;
      else trainable += count;
    }
    const connected = calls.flatMap((c) => c.inputs.map((r) => `'${r.layer}[${r.call}][${r.output}]'`));
    return { layer, outputShape, trainable, nonTrainable, connected };
  });

  const functional = spec.kind === 'Functional';
  const width = functional ? 98 : 65;
  const ends = functional ? [32, 53, 65, 98] : [29, 55, 65];
  const header = functional ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'] : ['Layer (type)', 'Output Shape', 'Param #'];
  const lines = [`Model: "${spec.name}"`, '_'.repeat(width), ...renderRow(header.map((h) => [h]), ends), '='.repeat(width)];
  const addRow = (cells: Cell[]): void => {
    lines.push(...renderRow(cells, ends), '');
  };
  if (functional) {
    for (const i of spec.inputs) addRow([[`${i.name} (InputLayer)`], [`[${formatKerasShape(i.shape)}]`], ['0'], ['[]']]);
  }
  for (const r of rows) {
    const cells: Cell[] = [[`${r.layer.name} (${r.layer.className})`], r.outputShape, [String(r.trainable + r.nonTrainable)]];
    if (functional) cells.push(listCell(r.connected));
    addRow(cells);
  }
  const trainable = rows.reduce((s, r) => s + r.trainable, 0);
  const nonTrainable = rows.reduce((s, r) => s + r.nonTrainable, 0);
  lines.push(
    '='.repeat(width),
    `Total params: ${withCommas(trainable + nonTrainable)}`,
    `Trainable params: ${withCommas(trainable)}`,
    `Non-trainable params: ${withCommas(nonTrainable)}`,
    '_'.repeat(width),
  );
  return lines.join('\n');
}
