/**
 * Layers that do not fit the inputs the file wires to them (found by the file
 * fuzzer, where each was an internal error): the message names the file and
 * the layer.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { CliCase } from '../case.js';
import { tinyInput, tinyKeras3, type Json, type TfjsFiles } from '../tiny_model.js';
import { layersOf, RUN, tfjs, write } from './common.js';

/**
 * Puts a weightless layer between `dense` and `dense_1` of the functional
 * tiny model, called on the outputs of `inputs`.
 */
function insertLayer(className: string, config: Json, inputs: string[]): (files: TfjsFiles) => void {
  return (files) => {
    const layers = layersOf(files);
    const name = 'extra';
    layers.splice(2, 0, { name, class_name: className, config: { name, ...config }, inbound_nodes: [inputs.map((l) => [l, 0, 0, {}])] });
    const last = layers.find((l) => l.name === 'dense_1');
    if (!last) throw new Error('the tiny model has no dense_1');
    last.inbound_nodes = [[[name, 0, 0, {}]]];
  };
}

/** The tiny .keras archive with the first `keras_history` in config.json replaced by `value`. */
async function kerasWithHistory(value: unknown): Promise<Uint8Array> {
  const entries = unzipSync(await tinyKeras3());
  const config = JSON.parse(strFromU8(entries['config.json'])) as unknown;
  let done = false;
  const visit = (v: unknown): void => {
    if (done || typeof v !== 'object' || v === null) return;
    const record = v as Json;
    if (Object.hasOwn(record, 'keras_history')) {
      record.keras_history = value;
      done = true;
      return;
    }
    Object.values(record).forEach(visit);
  };
  visit(config);
  if (!done) throw new Error('the tiny .keras config has no keras_history');
  entries['config.json'] = strToU8(JSON.stringify(config));
  return zipSync(entries);
}

export const layerInputCases: CliCase[] = [
  {
    name: 'a layer called on an input of the wrong rank',
    setup: tfjs(insertLayer('GlobalAveragePooling1D', {}, ['dense'])),
    argv: RUN,
    expect: /model\.json: layer 'extra': GlobalAveragePooling1D: expects a rank-3 input/,
  },
  {
    name: 'a merge layer called on one input',
    setup: tfjs(insertLayer('Add', {}, ['dense'])),
    argv: RUN,
    expect: /model\.json: layer 'extra': Add: expects at least 2 inputs, got 1/,
  },
  {
    name: 'Subtract called on three inputs',
    setup: tfjs(insertLayer('Subtract', {}, ['dense', 'dense', 'dense'])),
    argv: RUN,
    expect: /model\.json: layer 'extra': Subtract: expects exactly 2 inputs, got 3/,
  },
  {
    name: 'Concatenate on the batch axis',
    setup: tfjs(insertLayer('Concatenate', { axis: 0 }, ['dense', 'dense'])),
    argv: RUN,
    expect: /layer 'extra': Concatenate: axis 0 is the batch axis/,
  },
  {
    name: 'Concatenate on an axis out of range',
    setup: tfjs(insertLayer('Concatenate', { axis: 7 }, ['dense', 'dense'])),
    argv: RUN,
    expect: /layer 'extra': Concatenate: axis 7 is out of range for an input of f32\[N,3\]/,
  },
  {
    name: 'a layer call with no input tensors',
    setup: tfjs((files) => {
      const dense = layersOf(files).find((l) => l.name === 'dense');
      if (dense) dense.inbound_nodes = [[]];
    }),
    argv: RUN,
    expect: /model\.json: layer 'dense': inbound node 0 is malformed/,
  },
  {
    name: '.keras call whose keras_history is not a list',
    setup: async (dir) => {
      write(dir, 'model.keras', await kerasWithHistory(null));
      write(dir, 'x.npy', tinyInput());
    },
    argv: ['run', 'model.keras', '--input', 'x.npy', '--output', 'y.npy'],
    expect: /model\.keras: layer '\w+': call 0 has an input tensor whose 'keras_history' is not a list/,
  },
];
