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

/** The case with layer `name` (an LSTM, or a GRU with reset_after) turned into its CuDNN class and layout. */
export function asCudnnLayer(tc: TfjsCase, name: string, seed = 3): TfjsCase {
  const topology = structuredClone(tc.topology);
  const layer = ((topology.config as Json).layers as LayerEntry[]).find((l) => l.config.name === name);
  if (!layer || (layer.class_name !== 'LSTM' && layer.class_name !== 'GRU')) throw new Error(`no LSTM or GRU named ${name}`);
  const cell = layer.class_name;
  const gates = cell === 'LSTM' ? 4 : 3;
  const { units, return_sequences, return_state, go_backwards, batch_input_shape } = layer.config;
  layer.class_name = `CuDNN${cell}`;
  layer.config = {
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
  };
  const weights = new Map(tc.weights);
  const get = (w: string) => tc.weights.get(`${name}/${w}`)!;
  weights.set(`${name}/kernel`, perGate(get('kernel'), gates, toCudnnInputBlock));
  weights.set(`${name}/recurrent_kernel`, perGate(get('recurrent_kernel'), gates, transpose));
  const bias = get('bias');
  let cudnnBias: Float32Array;
  if (cell === 'LSTM') {
    // cuDNN keeps input and recurrent biases apart; any split with the right sum is the same LSTM.
    const random = new SeededRandom(seed);
    const recurrent = Float32Array.from(bias.data, () => random.uniform(-0.3, 0.3));
    cudnnBias = Float32Array.from([...bias.data.map((b, i) => b - recurrent[i]), ...recurrent]);
  } else {
    cudnnBias = Float32Array.from(bias.data);
  }
  weights.set(`${name}/bias`, { shape: [cudnnBias.length], data: cudnnBias });
  return { topology, weights };
}
