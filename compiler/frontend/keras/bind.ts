/**
 * Attaches weight data to the layers of an imported ModelSpec. Which weights a
 * layer owns (names, shapes) depends on its input types, so this walks the
 * layer calls in order on a scratch graph to learn every call's types, asks
 * `resolve` for each weight of a layer at its first call, and checks what
 * comes back against the layer's WeightSpec.
 */
import '../../ops/index.js';
import { GraphBuilder } from '../../ir/builder.js';
import { IRError } from '../../ir/errors.js';
import type { Value } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { formatShape } from '../../ir/types.js';
import { LayerError, type LayerInstance, type ModelSpec, type WeightSpec } from '../../layers/layer.js';
import { ModelFileError } from './errors.js';

/** Finds the data of weight `index` of a layer (undefined when the file lacks it). */
export type WeightResolver = (layer: LayerInstance, spec: WeightSpec, index: number) => Tensor | undefined;

const DTYPE_NAMES = { f32: 'float32', i32: 'int32', bool: 'bool' } as const;

function checkWeight(file: string, layer: LayerInstance, spec: WeightSpec, t: Tensor | undefined): Tensor {
  const weight = `${layer.name}/${spec.name}`;
  const loc = { layer: layer.name, weight };
  if (!t) throw new ModelFileError(file, `the ${layer.className} layer needs this weight, but the file does not have it`, loc);
  if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
    throw new ModelFileError(
      file,
      `has shape ${formatShape(t.shape)} in the file, but the ${layer.className} layer needs ${formatShape(spec.shape)}`,
      loc,
    );
  }
  if (t.dtype !== spec.dtype) {
    throw new ModelFileError(file, `is ${DTYPE_NAMES[t.dtype]} in the file, but the layer needs ${DTYPE_NAMES[spec.dtype]}`, loc);
  }
  return t;
}

/** Fills every layer's `weights` map; `file` names the model file in errors. */
export function bindWeights(spec: ModelSpec, file: string, resolve: WeightResolver): void {
  const b = new GraphBuilder(spec.name);
  const key = (layer: string, call: number) => `${layer}#${call}`;
  const produced = new Map<string, Value[]>();
  for (const input of spec.inputs) produced.set(key(input.name, 0), [b.input(input.name, input)]);
  const layers = new Map(spec.layers.map((l) => [l.name, l]));
  const weightValues = new Map<string, Map<string, Value>>();

  for (const call of spec.calls) {
    const layer = layers.get(call.layer);
    if (!layer) throw new ModelFileError(file, 'is called but not defined', { layer: call.layer });
    const inputs = call.inputs.map((ref) => {
      const v = produced.get(key(ref.layer, ref.call))?.[ref.output];
      if (!v) {
        throw new ModelFileError(file, `reads output ${ref.output} of call ${ref.call} of '${ref.layer}', which does not exist`, {
          layer: layer.name,
        });
      }
      return v;
    });
    try {
      let values = weightValues.get(layer.name);
      if (!values) {
        values = new Map();
        const specs = layer.def.weights(layer.config, inputs.map((v) => v.type));
        specs.forEach((ws, i) => {
          const t = checkWeight(file, layer, ws, resolve(layer, ws, i));
          layer.weights.set(ws.name, t);
          values!.set(ws.name, b.constant(`${layer.name}/${ws.name}`, t));
        });
        weightValues.set(layer.name, values);
      }
      produced.set(key(layer.name, call.index), layer.def.lower(b, layer.config, inputs, values));
    } catch (e) {
      throw nameLayer(e, file, layer);
    }
  }
}

/**
 * A layer that does not fit the inputs the file gives it (a LayerError from
 * its definition, an IRError from an op it emits) as a ModelFileError naming
 * the file and the layer; anything else (a bug) passes through unchanged.
 */
function nameLayer(e: unknown, file: string, layer: LayerInstance): unknown {
  if (!(e instanceof LayerError || e instanceof IRError)) return e;
  return new ModelFileError(file, `${layer.className}: ${e.message}`, { layer: layer.name }, { cause: e });
}

const RECURRENT_CELLS: Record<string, string> = { LSTM: 'lstm_cell', GRU: 'gru_cell', SimpleRNN: 'simple_rnn_cell' };

/**
 * The names a weights manifest may give a layer's weight, most common first:
 * TF.js and Keras 2.1-2.3 name it `<layer>/<weight>` (`lstm/kernel`,
 * `bidirectional/forward_lstm/kernel`); a model.json converted from a
 * TF 2.x `.h5` file keeps that file's names, which scope a recurrent
 * layer's weights by its cell (`lstm/lstm_cell/kernel`,
 * `bidirectional/forward_lstm/lstm_cell/kernel`).
 */
export function manifestWeightNames(layer: LayerInstance, spec: WeightSpec): string[] {
  const plain = `${layer.name}/${spec.name}`;
  const wrapped = layer.rawConfig.layer;
  const cellOf =
    layer.className === 'Bidirectional' && typeof wrapped === 'object' && wrapped !== null
      ? String((wrapped as { class_name?: unknown }).class_name)
      : layer.className;
  const cell = RECURRENT_CELLS[cellOf];
  if (cell === undefined) return [plain];
  const slash = spec.name.lastIndexOf('/');
  const scoped = `${spec.name.slice(0, slash + 1)}${cell}/${spec.name.slice(slash + 1)}`;
  return [plain, `${layer.name}/${scoped}`];
}
