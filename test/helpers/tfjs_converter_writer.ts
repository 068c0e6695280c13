/**
 * Writes a model.json as `tensorflowjs_converter --input_format keras` makes
 * it from a `.h5` file (tfjs-converter keras_h5_conversion.py): the file's
 * model_config as `modelTopology`, and its weights under their `.h5` names
 * without the `:0` suffix, so a TF 2.x file gives cell-scoped names such as
 * `lstm/lstm_cell/kernel`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { h5Weights, keras2Config, type H5Flavor } from './keras2_h5_writer.js';
import type { TfjsCase } from './keras_case.js';

/** Writes model.json and its one shard into `dir`; returns the model.json path. */
export function writeConvertedTfjs(tc: TfjsCase, dir: string, flavor: H5Flavor): string {
  const weights = h5Weights(tc, flavor).map(([name, t]) => ({ name: name.replace(/:0$/, ''), t }));
  const bytes = Buffer.concat(weights.map(({ t }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bytes);
  const model = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: keras2Config(tc.topology, flavor) },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map(({ name, t }) => ({ name, shape: t.shape, dtype: 'float32' })) }],
  };
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(model));
  return file;
}
