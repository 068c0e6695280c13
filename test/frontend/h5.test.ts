/**
 * Keras 2 `.h5` import: files written from the conformance cases in Keras 2's
 * `model.save('m.h5')` layout (see test/helpers/keras_writers.ts) must
 * reproduce the cases' expected outputs, and broken files must fail with one
 * clear message naming the file and the layer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { listConformanceCases } from '../helpers/conformance.js';
import { modelFileCaseFailures } from '../helpers/model_file_case.js';
import { readTfjsCase, writeKeras2H5, type Keras2Options, type TfjsCase } from '../helpers/keras_writers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfc-h5-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeH5(name: string, tc: TfjsCase, options?: Keras2Options): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, await writeKeras2H5(tc, options));
  return file;
}

const cases = listConformanceCases().filter((c) => c.suite === 'keras');
const byName = (name: string) => cases.find((c) => c.name === name)!;

describe('Keras 2 .h5 files reproduce the conformance outputs', () => {
  // Keras 2 semantics are TF.js' (hard_sigmoid included), so every case can be saved as .h5.
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const file = await writeH5(`${name}.h5`, readTfjsCase(c.dir));
    expect(await modelFileCaseFailures(file, c)).toEqual([]);
  });

  it('finds an .h5 file by its HDF5 magic bytes when the extension says nothing', async () => {
    const file = await writeH5('dense_mlp.weights', readTfjsCase(byName('dense_mlp').dir));
    const spec = await loadKerasFile(file);
    expect(spec.layers.map((l) => l.name)).toEqual(['dense', 'dropout', 'dense_1', 'dense_2', 'dropout_1', 'dense_3']);
    expect(spec.inputs).toEqual([{ name: 'dense_input', dtype: 'f32', shape: ['N', 16] }]);
  });
});

describe('broken .h5 files', () => {
  const mlp = () => readTfjsCase(byName('dense_mlp').dir);
  const lstm = () => readTfjsCase(byName('lstm').dir);

  it('rejects a file without model_config', async () => {
    const file = await writeH5('weights_only.h5', mlp(), { omitModelConfig: true });
    await expect(loadKerasFile(file)).rejects.toThrow(`${file}: has no 'model_config' attribute, so it holds no model architecture`);
  });

  it('rejects bytes that are not HDF5', async () => {
    const file = path.join(dir, 'corrupt.h5');
    writeFileSync(file, Buffer.from('\x89HDF\r\n\x1a\nthis is not really an HDF5 file', 'latin1'));
    await expect(loadKerasFile(file)).rejects.toThrow(`${file}: not a readable HDF5 file`);
  });

  it('names the layer and the dataset when a weight dataset is missing', async () => {
    const file = await writeH5('missing.h5', lstm(), {
      edit: (at, t) => (at === 'model_weights/lstm_last/lstm_last/lstm_cell/recurrent_kernel:0' ? undefined : t),
    });
    await expect(loadKerasFile(file)).rejects.toThrow(
      `${file}: layer 'lstm_last': weight 'lstm_last/recurrent_kernel': weight_names lists 'lstm_last/lstm_cell/recurrent_kernel:0', ` +
        "but there is no dataset '/model_weights/lstm_last/lstm_last/lstm_cell/recurrent_kernel:0'",
    );
  });

  it('names the layer when a weight has the wrong shape', async () => {
    const file = await writeH5('shape.h5', mlp(), {
      edit: (at, t) => (at === 'model_weights/dense_2/dense_2/bias:0' ? { shape: [t.shape[0] - 1], data: t.data.subarray(1) } : t),
    });
    await expect(loadKerasFile(file)).rejects.toThrow(
      `${file}: layer 'dense_2': weight 'dense_2/bias': has shape [15] in the file, but the Dense layer needs [16]`,
    );
  });
});
