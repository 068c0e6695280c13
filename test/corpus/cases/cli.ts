/** Command-line cases: flags, commands, inputs and outputs that do not fit. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CliCase } from '../case.js';
import { functionalTopology, type Json } from '../tiny_model.js';
import { both, files, RUN, tfjs, write } from './common.js';

/** The tiny model with both Dense layers as outputs. */
function twoOutputs(): Json {
  const t = functionalTopology();
  (t.config as Json).output_layers = [
    ['dense', 0, 0],
    ['dense_1', 0, 0],
  ];
  return t;
}

const RUN_NO_OUTPUT = ['run', 'model.json', '--input', 'x.npy'];

export const cliCases: CliCase[] = [
  { name: 'unknown command', setup: files({}), argv: ['frobnicate'], expect: /unknown command 'frobnicate'/ },
  { name: 'unknown flag', setup: tfjs(), argv: [...RUN, '--frobnicate'], expect: /unknown option '--frobnicate'/ },
  { name: 'run without a model', setup: files({}), argv: ['run'], expect: /missing required argument/ },
  { name: 'build without --out', setup: tfjs(), argv: ['build', 'model.json'], expect: /--out/ },
  { name: 'build --target foo', setup: tfjs(), argv: ['build', 'model.json', '--target', 'foo', '--out', 'b'], expect: /unknown --target 'foo'/ },
  { name: 'build --target with no target', setup: tfjs(), argv: ['build', 'model.json', '--target', ',', '--out', 'b'], expect: /--target needs a target/ },
  { name: 'model file of an unknown kind', setup: files({ 'model.txt': 'hello' }), argv: ['run', 'model.txt', '--input', 'x.npy', '--output', 'y.npy'], expect: /cannot tell what kind of model 'model\.txt'/ },
  { name: '--model on a Keras file', setup: tfjs(), argv: [...RUN, '--model', 'net'], expect: /--model selects an export/ },
  { name: 'unknown pass for --disable-pass', setup: tfjs(), argv: [...RUN, '--disable-pass', 'teleport'], expect: /teleport/ },
  { name: 'TypeScript model with a syntax error', setup: files({ 'model.ts': 'export default (((;\n' }), argv: ['run', 'model.ts', '--input', 'x.npy', '--output', 'y.npy'], expect: /model\.ts/ },
  { name: 'run without --input', setup: tfjs(), argv: ['run', 'model.json', '--output', 'y.npy'], expect: /input/ },
  { name: 'run with two --input for a one-input model', setup: tfjs(), argv: [...RUN, '--input', 'x.npy'], expect: /input/ },
  { name: 'run without --output', setup: tfjs(), argv: RUN_NO_OUTPUT, expect: /1 output\(s\).*--output/ },
  { name: 'run with two --output for a one-output model', setup: tfjs(), argv: [...RUN, '--output', 'z.npy'], expect: /1 output\(s\).*got 2/ },
  { name: 'run with a missing input file', setup: tfjs(), argv: ['run', 'model.json', '--input', 'missing.npy', '--output', 'y.npy'], expect: /cannot read input file 'missing\.npy'/ },
  {
    name: 'input file holding only the text NUMPY',
    setup: both(tfjs(), (dir) => write(dir, 'x.npy', 'NUMPY')),
    argv: RUN,
    expect: /x\.npy: not a \.npy file/,
  },
  {
    name: 'the same --output given twice',
    setup: tfjs(() => undefined, twoOutputs()),
    argv: [...RUN, '--output', 'y.npy'],
    expect: /y\.npy/,
  },
  {
    name: '--output naming a directory',
    setup: both(tfjs(), (dir) => mkdirSync(path.join(dir, 'out'))),
    argv: [...RUN_NO_OUTPUT, '--output', 'out'],
    expect: /out/,
  },
  {
    name: 'second --output naming a directory (the first is not written)',
    setup: both(tfjs(() => undefined, twoOutputs()), (dir) => mkdirSync(path.join(dir, 'out'))),
    argv: [...RUN, '--output', 'out'],
    expect: /out/,
  },
  { name: '--output in a folder that does not exist', setup: tfjs(), argv: [...RUN_NO_OUTPUT, '--output', 'nowhere/y.npy'], expect: /nowhere/ },
  { name: 'summary of a missing model', setup: files({}), argv: ['summary', 'nothing.json'], expect: /nothing\.json/ },
  { name: 'inspect of a folder that is not a bundle', setup: (dir) => mkdirSync(path.join(dir, 'stuff')), argv: ['inspect', 'stuff'], expect: /stuff/ },
];
