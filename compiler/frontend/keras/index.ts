/**
 * Keras model import: picks the importer for a file by its extension, or by
 * its first bytes when the extension says nothing.
 */
import path from 'node:path';
import { FileAccessError, RegularFile } from '../../io/read_file.js';
import '../../layers/index.js';
import type { ModelSpec } from '../../layers/layer.js';
import { ModelFileError } from './errors.js';
import { loadTfjsModel } from './tfjs.js';

export { ModelFileError, type ModelFileLocation } from './errors.js';
export { bindWeights, type WeightResolver } from './bind.js';
export { modelSpecFromKeras } from './topology.js';
export { loadTfjsModel, tfjsModelFromJson } from './tfjs.js';

type Kind = 'tfjs' | 'keras3' | 'h5';

const BY_EXTENSION: Record<string, Kind> = { '.json': 'tfjs', '.keras': 'keras3', '.h5': 'h5', '.hdf5': 'h5' };

async function sniff(file: string): Promise<Kind | undefined> {
  let head: Uint8Array;
  try {
    const opened = await RegularFile.open(file);
    try {
      head = await opened.head(8);
    } finally {
      await opened.close();
    }
  } catch (e) {
    throw new ModelFileError(file, e instanceof FileAccessError ? e.reason : `cannot be read (${String(e)})`, {}, { cause: e });
  }
  const text = new TextDecoder('latin1').decode(head);
  if (text.trimStart().startsWith('{')) return 'tfjs';
  if (text.startsWith('PK\x03\x04')) return 'keras3';
  if (text.startsWith('\x89HDF\r\n\x1a\n')) return 'h5';
  return undefined;
}

/** Loads a Keras model file: a TF.js `model.json`, a Keras 3 `.keras` archive or a Keras 2 `.h5` file. */
export async function loadKerasFile(file: string): Promise<ModelSpec> {
  const kind = BY_EXTENSION[path.extname(file).toLowerCase()] ?? (await sniff(file));
  switch (kind) {
    case 'tfjs':
      return loadTfjsModel(file);
    // HDF5 support (h5wasm) is large; load it only for files that need it.
    case 'keras3':
      return (await import('./keras3.js')).loadKeras3File(file);
    case 'h5':
      return (await import('./h5.js')).loadH5File(file);
    case undefined:
      throw new ModelFileError(
        file,
        'unsupported model file: expected a TF.js model.json, a Keras 3 .keras archive or a Keras 2 .h5 file',
      );
  }
}
