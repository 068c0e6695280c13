/**
 * Writes real Keras files for tests from a Keras model in TF.js form (a
 * conformance case's model.json + weights.bin, or a model built here), as
 * each Keras version lays them out (no Python here to let Keras write them):
 *  - `writeKeras3Archive` (keras3_archive_writer.ts): `.keras` zips of
 *    Keras 3 and tf-keras 2.12-2.15;
 *  - `writeKeras2H5` (keras2_h5_writer.ts): `model.save('m.h5')` files of
 *    Keras 2.1-2.3, TF 2.x and Keras 3.
 * Both follow Keras' own layouts; `edit` hooks let error tests drop or
 * reshape a stored weight, `config` hooks rewrite the stored config.
 */
export { readTfjsCase, type StoredTensor, type TfjsCase, type WeightEdit } from './keras_case.js';
export { keras2Config, writeKeras2H5, type H5Flavor, type Keras2Options } from './keras2_h5_writer.js';
export { keras3Config, tfKerasConfig, writeKeras3Archive, type Keras3Options } from './keras3_archive_writer.js';
