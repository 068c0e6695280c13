/**
 * Rewrites an LSTM or GRU (reset_after) layer of a case as the CuDNNLSTM /
 * CuDNNGRU layer Keras 2.0.9-2.3 and tf.keras 1.x saved, with its weights in
 * cuDNN's layout: Keras' `_convert_rnn_weights` (keras/saving/hdf5_format.py)
 * run from Keras to cuDNN, per gate block of `units` columns.
 */
import { SeededRandom } from '../../compiler/util/random.js';
import type { Json, LayerEntry, StoredTensor, TfjsCase } from './keras_case.js';

/** Per gate block: the block's row-major data transformed by `block` (given the block as rows). */
function perGate(t: StoredTensor, gates: number, block: (rows: number[][]) => number[][]): StoredTensor {
  const [rows, width] = t.shape;
  const units = width / gates;
  const out = new Float32Array(t.data.length);
  for (let g = 0; g < gates; g++) {
    const part = Array.from({ length: rows }, (_, r) => Array.from(t.data.subarray(r * width + g * units, r * width + (g + 1) * units)));
    const converted = block(part);
    const flat = converted.flat();
    // The converted block keeps the block's shape [rows, units]; write it back row by row.
    for (let r = 0; r < rows; r++) for (let c = 0; c < units; c++) out[r * width + g * units + c] = flat[r * units + c];
  }
  return { shape: t.shape, data: out };
}

const transpose = (m: number[][]): number[][] => m[0].map((_, c) => m.map((row) => row[c]));

/** Keras input kernel block K [in, u] -> cuDNN block: K transposed ([u, in]) read row-major into [in, u]. */
function toCudnnInputBlock(k: number[][]): number[][] {
  const flat = transpose(k).flat();
  const units = k[0].length;
  return k.map((_, r) => flat.slice(r * units, (r + 1) * units));
}

/** The CuDNN class and config Keras wrote for an LSTM / GRU entry. */
function cudnnEntry(layer: LayerEntry): LayerEntry {
  const cell = layer.class_name;
  const { name, units, return_sequences, return_state, go_backwards, batch_input_shape } = layer.config;
  return {
    class_name: `CuDNN${cell}`,
    config: {
      name,
      trainable: true,
      ...(batch_input_shape ? { batch_input_shape } : {}),
      dtype: 'float32',
      return_sequences,
      return_state,
      go_backwards,
      stateful: false,
      time_major: false,
      units,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      ...(cell === 'LSTM' ? { unit_forget_bias: true } : {}),
      kernel_regularizer: null,
      recurrent_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      recurrent_constraint: null,
      bias_constraint: null,
    },
  };
}

/** Rewrites the weights under `prefix/` (kernel, recurrent_kernel, bias) in cuDNN's layout. */
function toCudnnWeights(weights: Map<string, StoredTensor>, prefix: string, cell: string, random: SeededRandom): void {
  const gates = cell === 'LSTM' ? 4 : 3;
  const get = (w: string) => weights.get(`${prefix}/${w}`)!;
  const bias = get('bias');
  weights.set(`${prefix}/kernel`, perGate(get('kernel'), gates, toCudnnInputBlock));
  weights.set(`${prefix}/recurrent_kernel`, perGate(get('recurrent_kernel'), gates, transpose));
  let cudnnBias = Float32Array.from(bias.data);
  if (cell === 'LSTM') {
    // cuDNN keeps input and recurrent biases apart; any split with the right sum is the same LSTM.
    const recurrent = Float32Array.from(bias.data, () => random.uniform(-0.3, 0.3));
    cudnnBias = Float32Array.from([...bias.data.map((b, i) => b - recurrent[i]), ...recurrent]);
  }
  weights.set(`${prefix}/bias`, { shape: [cudnnBias.length], data: cudnnBias });
}

const isCell = (l: LayerEntry) => l.class_name === 'LSTM' || l.class_name === 'GRU';

/**
 * The case with layer `name` (an LSTM, a GRU with reset_after, or a
 * Bidirectional wrapping one) turned into its CuDNN class and weight layout.
 */
export function asCudnnLayer(tc: TfjsCase, name: string, seed = 3): TfjsCase {
  const topology = structuredClone(tc.topology);
  const layers = (topology.config as Json).layers as LayerEntry[];
  const index = layers.findIndex((l) => l.config.name === name);
  const layer = layers[index];
  const weights = new Map(tc.weights);
  const random = new SeededRandom(seed);
  if (layer?.class_name === 'Bidirectional' && isCell(layer.config.layer as LayerEntry)) {
    const inner = layer.config.layer as LayerEntry;
    for (const side of ['forward', 'backward']) toCudnnWeights(weights, `${name}/${side}_${String(inner.config.name)}`, inner.class_name, random);
    layer.config.layer = cudnnEntry(inner);
  } else if (layer && isCell(layer)) {
    toCudnnWeights(weights, name, layer.class_name, random);
    layers[index] = cudnnEntry(layer);
  } else {
    throw new Error(`no LSTM, GRU or Bidirectional of one named ${name}`);
  }
  return { topology, weights };
}
