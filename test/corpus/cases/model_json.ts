/** model.json cases: the JSON, the topology and the weights manifest. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CliCase } from '../case.js';
import { tinyInput } from '../tiny_model.js';
import { configOf, files, layersOf, RUN, tfjs, write } from './common.js';

export const modelJsonCases: CliCase[] = [
  { name: 'model.json is not JSON', setup: files({ 'model.json': '{"modelTopology": ' }), argv: RUN, expect: /model\.json: malformed JSON at line 1/ },
  { name: 'model.json is empty', setup: files({ 'model.json': '' }), argv: RUN, expect: /model\.json: .*(malformed JSON|empty)/ },
  { name: 'model.json is a JSON array', setup: files({ 'model.json': '[1, 2]' }), argv: RUN, expect: /model\.json:? is not a TF\.js model/ },
  {
    name: 'model.json is a directory',
    setup: (dir) => {
      mkdirSync(path.join(dir, 'model.json'));
      write(dir, 'x.npy', tinyInput());
    },
    argv: RUN,
    expect: /model\.json.* is not a file/,
  },
  { name: 'model file does not exist', setup: files({}), argv: RUN, expect: /model file 'model\.json' does not exist/ },
  {
    name: 'a TF.js graph model',
    setup: files({ 'model.json': JSON.stringify({ format: 'graph-model', modelTopology: { node: [] } }) }),
    argv: RUN,
    expect: /graph model/,
  },
  { name: 'no modelTopology', setup: files({ 'model.json': JSON.stringify({ format: 'layers-model' }) }), argv: RUN, expect: /no 'modelTopology'/ },
  {
    name: 'top-level class is a layer',
    setup: tfjs((f) => (f.json.modelTopology = { class_name: 'Dense', config: {} })),
    argv: RUN,
    expect: /top-level class is 'Dense'/,
  },
  {
    name: 'unknown layer class',
    setup: tfjs((f) => (layersOf(f)[1].class_name = 'FancyDense')),
    argv: RUN,
    expect: /FancyDense/,
  },
  {
    name: 'unknown activation',
    setup: tfjs((f) => (layersOf(f)[1].config.activation = 'sparkle')),
    argv: RUN,
    expect: /dense.*sparkle|sparkle.*dense/,
  },
  {
    name: 'units is a string',
    setup: tfjs((f) => (layersOf(f)[1].config.units = 'three')),
    argv: RUN,
    expect: /'dense'.*units/,
  },
  {
    name: 'units is negative',
    setup: tfjs((f) => (layersOf(f)[1].config.units = -3)),
    argv: RUN,
    expect: /'dense'.*units/,
  },
  {
    name: 'input shape has a negative size',
    setup: tfjs((f) => (layersOf(f)[0].config.batch_input_shape = [null, -4])),
    argv: RUN,
    expect: /-4|shape/,
  },
  {
    name: 'input shape of 10^12 x 10^12 (summary)',
    setup: tfjs((f) => (layersOf(f)[0].config.batch_input_shape = [null, 1e12, 1e12])),
    argv: ['summary', 'model.json'],
    expect: /limit|too large|exceeds|shape/i,
  },
  {
    name: 'input shape of rank 10,000',
    setup: tfjs((f) => (layersOf(f)[0].config.batch_input_shape = [null, ...new Array<number>(9_999).fill(1)])),
    argv: RUN,
    expect: /rank 10000, over the limit of 32 \(MAX_RANK\)/,
  },
  {
    name: 'input of 2^31 elements per sample',
    setup: tfjs((f) => (layersOf(f)[0].config.batch_input_shape = [null, 65_536, 32_768])),
    argv: ['summary', 'model.json'],
    expect: /2147483648 elements per batch item, over the limit of 1073741824 \(MAX_TENSOR_ELEMENTS\)/,
  },
  {
    // 9e8 elements per sample pass the import limit; a transpose needs two 3.4 GiB buffers, which cannot fit wasm32.
    name: 'build of a model with 30,000 x 30,000 activations',
    setup: tfjs(
      (f) => (f.json.weightsManifest = []),
      { class_name: 'Sequential', config: { name: 'wide', layers: [{ class_name: 'Permute', config: { name: 'swap', dims: [2, 1], batch_input_shape: [null, 30_000, 30_000] } }] } },
    ),
    argv: ['build', 'model.json', '--out', 'b'],
    expect: /needs [\d.]+ GiB of wasm memory at batch 1 .*the wasm target's limit is 4 GiB/,
  },
  {
    name: 'cycle in inbound_nodes',
    setup: tfjs((f) => (layersOf(f)[1].inbound_nodes = [[['dense_1', 0, 0, {}]]])),
    argv: RUN,
    expect: /cycle|dense_1|dense/,
  },
  {
    name: 'inbound node names a missing layer',
    setup: tfjs((f) => (layersOf(f)[2].inbound_nodes = [[['ghost', 0, 0, {}]]])),
    argv: RUN,
    expect: /ghost/,
  },
  {
    name: 'output_layers names a missing layer',
    setup: tfjs((f) => (configOf(f).output_layers = [['nowhere', 0, 0]])),
    argv: RUN,
    expect: /nowhere/,
  },
  {
    name: 'input_layers names a layer that is not an InputLayer',
    setup: tfjs((f) => (configOf(f).input_layers = [['phantom_input', 0, 0]])),
    argv: RUN,
    expect: /phantom_input/,
  },
  {
    name: 'inbound node is a number',
    setup: tfjs((f) => (layersOf(f)[1].inbound_nodes = [42])),
    argv: RUN,
    expect: /dense|inbound/,
  },
  {
    name: 'two layers with the same name',
    setup: tfjs((f) => (layersOf(f)[2].name = 'dense')),
    argv: RUN,
    expect: /dense/,
  },
  {
    name: 'Sequential with no layers',
    setup: tfjs(() => undefined, { class_name: 'Sequential', config: { name: 'empty', layers: [] } }),
    argv: RUN,
    expect: /layer|input/i,
  },
];
