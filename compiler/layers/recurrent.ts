/**
 * Recurrent layers: SimpleRNN, LSTM and GRU (reset_after false and true).
 *
 * Each lowers to one `scan`. The input projection `x W + b` does not depend
 * on the state, so it is one matmul over the whole sequence before the scan;
 * the scan body then does only the recurrent part. Weights reach the body as
 * invariant operands (bodies are closed). States start at zero (`fill`).
 */
import { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { formatType, type TensorType } from '../ir/types.js';
import { applyActivation, readActivation, type Activation } from './activations.js';
import { ConfigReader, INIT, type InitializerConfig } from './config.js';
import { expectInputs, getWeight, registerWithAliases, staticDim, weightSpec } from './helpers.js';
import { LayerError, type LayerDef, type RawConfig, type WeightSpec } from './layer.js';

type Cell = 'SimpleRNN' | 'LSTM' | 'GRU';

/** Column blocks of the kernels: SimpleRNN h; LSTM i, f, c, o; GRU z, r, h. */
const GATES: Record<Cell, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

export interface RecurrentConfig {
  cell: Cell;
  units: number;
  activation: Activation;
  recurrentActivation: Activation;
  useBias: boolean;
  /** GRU only: apply the reset gate after the recurrent matmul (bias `[2, 3u]`). */
  resetAfter: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  kernelInit: InitializerConfig;
  recurrentInit: InitializerConfig;
  biasInit: InitializerConfig;
}

function parseRecurrent(cell: Cell, raw: RawConfig, where: string): RecurrentConfig {
  const r = new ConfigReader(raw, where);
  const c: RecurrentConfig = {
    cell,
    units: r.positiveInt('units'),
    activation: readActivation(r, 'activation', 'tanh'),
    recurrentActivation: cell === 'SimpleRNN' ? 'linear' : readActivation(r, 'recurrent_activation', 'sigmoid'),
    useBias: r.bool('use_bias', true),
    // tf.keras 2 and Keras 3 default to reset_after true; for a file of an older Keras, whose GRU
    // defaulted to false, the importer fills the option in (frontend/keras/version_defaults.ts).
    resetAfter: cell === 'GRU' ? r.bool('reset_after', true) : false,
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

function recurrentWeights(c: RecurrentConfig, inputs: TensorType[]): WeightSpec[] {
  expectInputs(inputs, 1, 3, 'input (batch, time, features)');
  const width = GATES[c.cell] * c.units;
  const ws = [
    weightSpec('kernel', [staticDim(inputs[0], -1, c.cell), width], c.kernelInit),
    weightSpec('recurrent_kernel', [c.units, width], c.recurrentInit),
  ];
  if (c.useBias) ws.push(weightSpec('bias', c.resetAfter ? [2, width] : [width], c.biasInit));
  return ws;
}

/** Columns `[from, to)` of a rank-2 value (slice end 0 keeps the whole batch axis). */
function cols(b: GraphBuilder, v: Value, from: number, to: number): Value {
  return b.op('slice', [v], { begin: [0, from], end: [0, to] });
}

/** Row `i` of a `[2, w]` bias, kept as `[1, w]` (it broadcasts). */
function biasRow(b: GraphBuilder, bias: Value, i: number): Value {
  return b.op('slice', [bias], { begin: [i, 0], end: [i + 1, 0] });
}

/** What one time step reads: the current states, this step's projected input, the recurrent weights. */
interface StepIO {
  states: Value[];
  x: Value;
  invariants: Value[];
}

/** Emits one time step into the body builder; returns the new states (h first). */
type Step = (b: GraphBuilder, c: RecurrentConfig, io: StepIO) => Value[];

const simpleRnnStep: Step = (b, c, { states: [h], x, invariants: [u] }) => {
  const z = b.op('add', [x, b.op('matmul', [h, u])]);
  return [applyActivation(b, c.activation, z)];
};

const lstmStep: Step = (b, c, { states: [h, cell], x, invariants: [u] }) => {
  const n = c.units;
  const z = b.op('add', [x, b.op('matmul', [h, u])]);
  const gate = (k: number, act: Activation) => applyActivation(b, act, cols(b, z, k * n, (k + 1) * n));
  const i = gate(0, c.recurrentActivation);
  const f = gate(1, c.recurrentActivation);
  const candidate = gate(2, c.activation);
  const o = gate(3, c.recurrentActivation);
  const newCell = b.op('add', [b.op('mul', [f, cell]), b.op('mul', [i, candidate])]);
  const newH = b.op('mul', [o, applyActivation(b, c.activation, newCell)]);
  return [newH, newCell];
};

/** GRU: h = z * h + (1 - z) * h~, written as h~ + z * (h - h~). */
const gruStep: Step = (b, c, { states: [h], x, invariants }) => {
  const n = c.units;
  const xz = cols(b, x, 0, n);
  const xr = cols(b, x, n, 2 * n);
  const xh = cols(b, x, 2 * n, 3 * n);
  let z: Value;
  let candidate: Value;
  if (c.resetAfter) {
    // invariants: U [u, 3u] and, with a bias, the recurrent bias row [1, 3u].
    const [u, recurrentBias] = invariants;
    let hu = b.op('matmul', [h, u]);
    if (recurrentBias) hu = b.op('add', [hu, recurrentBias]);
    z = applyActivation(b, c.recurrentActivation, b.op('add', [xz, cols(b, hu, 0, n)]));
    const r = applyActivation(b, c.recurrentActivation, b.op('add', [xr, cols(b, hu, n, 2 * n)]));
    candidate = applyActivation(b, c.activation, b.op('add', [xh, b.op('mul', [r, cols(b, hu, 2 * n, 3 * n)])]));
  } else {
    // invariants: U_zr [u, 2u] and U_h [u, u].
    const [uzr, uh] = invariants;
    const hzr = b.op('matmul', [h, uzr]);
    z = applyActivation(b, c.recurrentActivation, b.op('add', [xz, cols(b, hzr, 0, n)]));
    const r = applyActivation(b, c.recurrentActivation, b.op('add', [xr, cols(b, hzr, n, 2 * n)]));
    candidate = applyActivation(b, c.activation, b.op('add', [xh, b.op('matmul', [b.op('mul', [r, h]), uh])]));
  }
  return [b.op('add', [candidate, b.op('mul', [z, b.op('sub', [h, candidate])])])];
};

const STEPS: Record<Cell, Step> = { SimpleRNN: simpleRnnStep, LSTM: lstmStep, GRU: gruStep };

/** The recurrent weights the step reads, as outer-graph values. */
function stepInvariants(b: GraphBuilder, c: RecurrentConfig, weights: Map<string, Value>): Value[] {
  const u = getWeight(weights, 'recurrent_kernel');
  if (c.cell !== 'GRU') return [u];
  if (c.resetAfter) return c.useBias ? [u, biasRow(b, getWeight(weights, 'bias'), 1)] : [u];
  return [cols(b, u, 0, 2 * c.units), cols(b, u, 2 * c.units, 3 * c.units)];
}

/** `x W + b` for every time step at once: `[N, T, gates * units]`. */
function inputProjection(b: GraphBuilder, c: RecurrentConfig, x: Value, weights: Map<string, Value>): Value {
  const xw = b.op('matmul', [x, getWeight(weights, 'kernel')]);
  if (!c.useBias) return xw;
  const bias = getWeight(weights, 'bias');
  return b.op('add', [xw, c.resetAfter ? biasRow(b, bias, 0) : bias]);
}

/** Outputs in Keras order: the output (sequence or last h), then the final states when `return_state`. */
export function lowerRecurrent(b: GraphBuilder, c: RecurrentConfig, x: Value, weights: Map<string, Value>): Value[] {
  if (x.type.shape.length !== 3) throw new LayerError(`expects a rank-3 input (batch, time, features), got ${formatType(x.type)}`);
  const projected = inputProjection(b, c, x, weights);
  const invariants = stepInvariants(b, c, weights);
  const stateCount = c.cell === 'LSTM' ? 2 : 1;
  const stateType: TensorType = { dtype: 'f32', shape: ['N', c.units] };
  const initial = Array.from({ length: stateCount }, () => b.op('fill', [], { shape: ['N', c.units], value: 0, dtype: 'f32' }));

  const body = new GraphBuilder(b.graph.childGraph(`${c.cell.toLowerCase()}_step`));
  const states = initial.map((_, k) => body.input(k === 0 ? 'h' : 'c', stateType));
  const step = body.input('x_t', { dtype: 'f32', shape: ['N', projected.type.shape[2]] });
  const bodyInvariants = invariants.map((v, k) => body.input(`w${k}`, v.type));
  const newStates = STEPS[c.cell](body, c, { states, x: step, invariants: bodyInvariants });
  newStates.forEach((v, k) => body.output(k === 0 ? 'h' : 'c', v));
  if (c.returnSequences) body.output('y', newStates[0]);

  const results = b.apply('scan', [...initial, projected, ...invariants], {
    num_states: stateCount,
    num_sequences: 1,
    reverse: c.goBackwards,
  }, body.graph);
  const finalStates = results.slice(0, stateCount);
  const output = c.returnSequences ? results[stateCount] : finalStates[0];
  return c.returnState ? [output, ...finalStates] : [output];
}

function recurrentLayer(cell: Cell): LayerDef<RecurrentConfig> {
  return {
    className: cell,
    parseConfig: (raw, where) => parseRecurrent(cell, raw, where),
    weights: recurrentWeights,
    lower: (b, c, [x], weights) => lowerRecurrent(b, c, x, weights),
  };
}

/** Keras class names of the layers above, aliases included. */
export const RECURRENT_CLASSES: readonly string[] = ['SimpleRNN', 'LSTM', 'GRU', 'UnifiedLSTM', 'UnifiedGRU'];

registerWithAliases(recurrentLayer('SimpleRNN'));
// TF 2.0 previews wrote the cuDNN-capable v2 layers as UnifiedLSTM / UnifiedGRU.
registerWithAliases(recurrentLayer('LSTM'), 'UnifiedLSTM');
registerWithAliases(recurrentLayer('GRU'), 'UnifiedGRU');
