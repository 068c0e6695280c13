/**
 * CuDNNLSTM and CuDNNGRU: the GPU-only recurrent layers of Keras 2.0.9-2.3
 * and tf.keras 1.x, still found in `.h5` files. They compute LSTM (tanh,
 * sigmoid gates) and GRU with `reset_after` true, but store their weights in
 * cuDNN's layout. Keras' own conversion (`_convert_rnn_weights` in
 * keras/saving/hdf5_format.py) defines the mapping this file lowers, per gate
 * block of `units` columns:
 *  - input kernel block `C` `[in, units]`: Keras' block is `C` read as
 *    `[units, in]` and transposed;
 *  - recurrent kernel block: transposed;
 *  - bias `[2 * gates * units]`: input biases then recurrent biases; an LSTM
 *    adds the two, a GRU keeps them as the rows of its `[2, 3 * units]` bias.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import type { TensorType } from '../ir/types.js';
import { ConfigReader, INIT } from './config.js';
import { expectInputs, getWeight, registerWithAliases, staticDim, weightSpec } from './helpers.js';
import type { LayerDef, RawConfig } from './layer.js';
import { lowerRecurrent, type RecurrentConfig } from './recurrent.js';

type CudnnCell = 'LSTM' | 'GRU';

const GATES: Record<CudnnCell, number> = { LSTM: 4, GRU: 3 };

function parseCudnn(cell: CudnnCell, raw: RawConfig, where: string): RecurrentConfig {
  const r = new ConfigReader(raw, where);
  const c: RecurrentConfig = {
    cell,
    units: r.positiveInt('units'),
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    useBias: true,
    resetAfter: cell === 'GRU',
    returnSequences: r.bool('return_sequences', false),
    returnState: r.bool('return_state', false),
    goBackwards: r.bool('go_backwards', false),
    kernelInit: r.initializer('kernel_initializer', INIT.glorotUniform()),
    recurrentInit: r.initializer('recurrent_initializer', INIT.orthogonal()),
    biasInit: r.initializer('bias_initializer', INIT.zeros()),
  };
  r.expect('stateful', false, 'stateful recurrent layers are not supported');
  r.expect('time_major', false, 'time-major inputs are not supported');
  r.finish();
  return c;
}

/** Columns `[from, to)` of a rank-2 weight. */
function columns(b: GraphBuilder, w: Value, from: number, to: number): Value {
  return b.op('slice', [w], { begin: [0, from], end: [0, to] });
}

/** Applies `block` to each gate's column block and joins the results again. */
function perGate(b: GraphBuilder, w: Value, gates: number, units: number, block: (v: Value) => Value): Value {
  const blocks = Array.from({ length: gates }, (_, k) => block(columns(b, w, k * units, (k + 1) * units)));
  return b.op('concat', blocks, { axis: 1 });
}

/** The weights in the layout of Keras' LSTM / GRU (reset_after). */
function kerasWeights(b: GraphBuilder, c: RecurrentConfig, weights: Map<string, Value>, inputs: number): Map<string, Value> {
  const gates = GATES[c.cell as CudnnCell];
  const n = c.units;
  const transpose = (v: Value) => b.op('transpose', [v], { perm: [1, 0] });
  const kernel = perGate(b, getWeight(weights, 'kernel'), gates, n, (v) => transpose(b.op('reshape', [v], { shape: [n, inputs] })));
  const recurrent = perGate(b, getWeight(weights, 'recurrent_kernel'), gates, n, transpose);
  const bias = getWeight(weights, 'bias');
  const width = gates * n;
  const inputBias = b.op('slice', [bias], { begin: [0], end: [width] });
  const recurrentBias = b.op('slice', [bias], { begin: [width], end: [0] });
  const kerasBias = c.cell === 'LSTM' ? b.op('add', [inputBias, recurrentBias]) : b.op('reshape', [bias], { shape: [2, width] });
  return new Map([
    ['kernel', kernel],
    ['recurrent_kernel', recurrent],
    ['bias', kerasBias],
  ]);
}

function cudnnLayer(cell: CudnnCell): LayerDef<RecurrentConfig> {
  return {
    className: `CuDNN${cell}`,
    parseConfig: (raw, where) => parseCudnn(cell, raw, where),
    weights(c, inputs: TensorType[]) {
      expectInputs(inputs, 1, 3, 'input (batch, time, features)');
      const width = GATES[cell] * c.units;
      return [
        weightSpec('kernel', [staticDim(inputs[0], -1, `CuDNN${cell}`), width], c.kernelInit),
        weightSpec('recurrent_kernel', [c.units, width], c.recurrentInit),
        weightSpec('bias', [2 * width], c.biasInit),
      ];
    },
    lower(b, c, [x], weights) {
      const inputs = staticDim(x.type, -1, `CuDNN${cell}`);
      return lowerRecurrent(b, c, x, kerasWeights(b, c, weights, inputs));
    },
  };
}

export const CUDNN_CLASSES: readonly string[] = ['CuDNNLSTM', 'CuDNNGRU'];

registerWithAliases(cudnnLayer('LSTM'));
registerWithAliases(cudnnLayer('GRU'));
