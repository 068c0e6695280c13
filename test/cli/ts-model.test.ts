/**
 * `tfc run` and `tfc summary` on a TypeScript model file written with the DSL
 * in a temp dir, importing 'tfc-compiler/dsl' as a user would: the conformance `dense_mlp` architecture, weights loaded
 * from its model.json, so the conformance expected outputs are the oracle.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { f32, tensor } from '../../compiler/ir/tensor.js';
import { kerasCaseDir, readTensor } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { repoRoot, tfc } from './tfc.js';

const CASE = kerasCaseDir('dense_mlp');

const MODEL_SOURCE = `
import { layers, sequential } from 'tfc-compiler/dsl';

export const mlp = sequential(
  [
    layers.dense({ units: 32, activation: 'relu', inputShape: [16], name: 'dense' }),
    layers.dropout({ rate: 0.25, name: 'dropout' }),
    layers.dense({ units: 24, activation: 'tanh', name: 'dense_1' }),
    layers.dense({ units: 16, activation: 'sigmoid', name: 'dense_2' }),
    layers.dropout({ rate: 0.5, name: 'dropout_1' }),
    layers.dense({ units: 10, activation: 'softmax', name: 'dense_3' }),
  ],
  { name: 'dense_mlp' },
);
await mlp.loadWeights(${JSON.stringify(path.join(CASE, 'model.json'))});
export default mlp;
`;

let tmp: string;
let modelFile: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-cli-ts-'));
  // A user's ESM project (the model file uses top-level await) with tfc
  // installed: node_modules/tfc-compiler links to packages/compiler, so 'tfc-compiler/dsl'
  // resolves through its package.json exports to the built dist/.
  writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(path.join(tmp, 'node_modules'));
  symlinkSync(path.join(repoRoot, 'packages/compiler'), path.join(tmp, 'node_modules/tfc-compiler'), 'dir');
  modelFile = path.join(tmp, 'model.ts');
  writeFileSync(modelFile, MODEL_SOURCE);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tfc on a .ts model', () => {
  it('runs every conformance sample, through the default export and through --model', async () => {
    const exportArgs = [[], ['--model', 'mlp'], []];
    await Promise.all(
      [0, 1, 2].map(async (k) => {
        const out = path.join(tmp, `y${k}.npy`);
        const r = await tfc(['run', modelFile, ...exportArgs[k], '--input', path.join(CASE, `input_${k}.npy`), '--output', out]);
        expect(r.code, r.stderr).toBe(0);
        expect(compareTensors(readTensor(out), readTensor(path.join(CASE, `expected_${k}.npy`)))).toBeNull();
      }),
    );
  });

  it('prints the Keras summary', async () => {
    const r = await tfc(['summary', modelFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Model: "dense_mlp"');
    expect(r.stdout).toMatch(/dense_3 \(Dense\)\s+\(None, 10\)\s+170/);
    // 16*32+32 + 32*24+24 + 24*16+16 + 16*10+10 weights in the manifest.
    expect(r.stdout).toMatch(/Total params: 1,?906/);
  });

  it('converts integer-valued inputs to an int32 input and rejects non-integers, naming the input', async () => {
    // Embedding with the identity initializer: id k becomes the one-hot row k.
    const file = path.join(tmp, 'onehot.ts');
    writeFileSync(
      file,
      [
        "import { input, layers, model } from 'tfc-compiler/dsl';",
        "const ids = input({ shape: [3], dtype: 'int32', name: 'ids' });",
        "const onehot = layers.embedding({ inputDim: 4, outputDim: 4, embeddingsInitializer: 'identity' });",
        "export default model({ inputs: ids, outputs: onehot.apply(ids), name: 'onehot' });",
      ].join('\n'),
    );
    const ids = [0, 1, 2, 3, 2, 1];
    const expected = f32([2, 3, 4], ids.flatMap((id) => [0, 1, 2, 3].map((k) => (k === id ? 1 : 0))));
    const inputs = {
      i32: writeNpy(tensor('i32', [2, 3], ids)),
      f32: writeNpy(f32([2, 3], ids)),
      fraction: writeNpy(f32([2, 3], [0, 1.5, 2, 3, 2, 1])),
    };
    const results = await Promise.all(
      Object.entries(inputs).map(async ([label, bytes]) => {
        const input = path.join(tmp, `ids-${label}.npy`);
        writeFileSync(input, bytes);
        const out = path.join(tmp, `onehot-${label}.npy`);
        return { out, r: await tfc(['run', file, '-i', input, '-o', out]) };
      }),
    );
    for (const { out, r } of results.slice(0, 2)) {
      expect(r.code, r.stderr).toBe(0);
      expect(compareTensors(readTensor(out), expected)).toBeNull();
    }
    const rejected = results[2];
    expect(rejected.r.code).not.toBe(0);
    expect(rejected.r.stderr).toMatch(/^tfc: error: input 0 'ids' \(.*ids-fraction\.npy\) must be int32.*1\.5/);
    expect(existsSync(rejected.out)).toBe(false);
  });

  it("reports a DSL shape error at the user's source line", async () => {
    const file = path.join(tmp, 'too-small.ts');
    writeFileSync(
      file,
      [
        "import { layers, sequential } from 'tfc-compiler/dsl';",
        'export default sequential([',
        '  layers.conv2d({ filters: 2, kernelSize: 5, inputShape: [3, 3, 1] }),',
        ']);',
      ].join('\n'),
    );
    const r = await tfc(['summary', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tfc: error: \S*too-small\.ts:3:\d+: .*conv2d/);
  });

  it('rejects an export that is not a model, naming it', async () => {
    const file = path.join(tmp, 'not-a-model.ts');
    writeFileSync(file, 'export const notAModel = { layers: 3 };\nexport default notAModel;\n');
    const out = path.join(tmp, 'bad.npy');
    const r = await tfc(['run', file, '--model', 'notAModel', '-i', path.join(CASE, 'input_0.npy'), '-o', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tfc: error: .*not-a-model\.ts: export 'notAModel' is not a tfc model/);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a module without a default export, listing its exports', async () => {
    const file = path.join(tmp, 'no-default.ts');
    writeFileSync(file, 'export const answer: number = 42;\n');
    const r = await tfc(['summary', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tfc: error: .*no-default\.ts has no default export.*'answer'/);
  });

  it('reports an error thrown by the module in one line', async () => {
    const file = path.join(tmp, 'throws.ts');
    writeFileSync(file, 'throw new Error("weights not found");\nexport default 1;\n');
    const r = await tfc(['summary', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tfc: error: .*throws\.ts: weights not found/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
