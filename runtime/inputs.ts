/**
 * The forms `predict` accepts and returns: one tensor `{data, shape}`, an
 * array of them in signature order, or an object keyed by input name. Inputs
 * are checked against the signature (count, names, dtype, shape, one batch
 * size for all); every mismatch names the expected signature.
 */
import { InputError } from './errors.js';
import { formatSignature, type TensorSpec } from './manifest.js';
import type { TensorData } from './wasm.js';

export interface TensorLike {
  data: TensorData;
  shape: readonly number[];
}

export type ModelInput = TensorLike | readonly TensorLike[] | Readonly<Record<string, TensorLike>>;
export type ModelOutput = TensorLike | TensorLike[] | Record<string, TensorLike>;

export type InputForm = 'single' | 'array' | 'named';

function isTensorLike(x: unknown): x is TensorLike {
  return typeof x === 'object' && x !== null && 'data' in x && 'shape' in x;
}

/** Puts inputs in signature order and tells which form they came in. */
export function orderInputs(x: ModelInput, inputs: TensorSpec[], outputs: TensorSpec[]): { form: InputForm; tensors: unknown[] } {
  const signature = formatSignature({ inputs, outputs });
  const fail = (what: string): never => {
    throw new InputError(`${what}; the model's signature is ${signature}`);
  };
  if (isTensorLike(x)) {
    if (inputs.length !== 1) fail(`predict got 1 input, the model takes ${inputs.length}`);
    return { form: 'single', tensors: [x] };
  }
  if (Array.isArray(x)) {
    if (x.length !== inputs.length) fail(`predict got ${x.length} input(s), the model takes ${inputs.length}`);
    return { form: 'array', tensors: x };
  }
  if (typeof x !== 'object' || x === null) fail('predict needs {data, shape}, an array of them, or an object keyed by input name');
  const named = x as Readonly<Record<string, unknown>>;
  const unknown = Object.keys(named).filter((k) => !inputs.some((s) => s.name === k));
  if (unknown.length > 0) fail(`predict got an input named '${unknown[0]}', which the model does not have`);
  const absent = inputs.find((s) => named[s.name] === undefined);
  if (absent) fail(`predict is missing input '${absent.name}'`);
  return { form: 'named', tensors: inputs.map((s) => named[s.name]) };
}

/** Token ids must fall inside their table; a float id counts as gather sees it (truncated, NaN as 0). */
function checkIndices(data: TensorData, rows: number, fail: (what: string) => never): void {
  for (let k = 0; k < data.length; k++) {
    const index = data[k] !== data[k] ? 0 : Math.trunc(data[k]);
    if (index < 0 || index >= rows) {
      fail(`holds ${data[k]} at element ${k}, but it indexes a table of ${rows} rows (an Embedding's input_dim): every value must be in [0, ${rows})`);
    }
  }
}

/** Checks each input against its spec; returns the data arrays and the common batch size. */
export function checkInputs(tensors: unknown[], inputs: TensorSpec[], outputs: TensorSpec[]): { data: TensorData[]; batch: number } {
  const signature = formatSignature({ inputs, outputs });
  let batch: number | undefined;
  const data = tensors.map((t, i) => {
    const spec = inputs[i];
    const fail = (what: string): never => {
      throw new InputError(`input ${i} '${spec.name}' ${what}; the model's signature is ${signature}`);
    };
    if (!isTensorLike(t)) return fail('is not a {data, shape} tensor');
    const wanted = spec.dtype === 'f32' ? Float32Array : Int32Array;
    if (!(t.data instanceof wanted)) fail(`must be ${spec.dtype} (a ${wanted.name}), got ${t.data?.constructor?.name ?? typeof t.data}`);
    const shape = Array.from(t.shape);
    const rankOk = shape.length === spec.shape.length;
    const dimsOk = rankOk && spec.shape.every((d, k) => (d === 'N' ? Number.isInteger(shape[k]) && shape[k] >= 1 : shape[k] === d));
    if (!dimsOk) fail(`has shape [${shape.join(',')}], expected [${spec.shape.join(',')}]`);
    const size = shape.reduce((n, d) => n * d, 1);
    if (t.data.length !== size) fail(`has ${t.data.length} values for shape [${shape.join(',')}], which needs ${size}`);
    if (spec.indexRows !== undefined) checkIndices(t.data, spec.indexRows, fail);
    const k = spec.shape.indexOf('N');
    if (k >= 0) {
      if (batch !== undefined && shape[k] !== batch) fail(`has batch size ${shape[k]}, but an earlier input has ${batch}`);
      batch = shape[k];
    }
    return t.data;
  });
  return { data, batch: batch ?? 1 };
}

/** Shapes the outputs like the inputs came: one tensor only when the model has one output. */
export function formOutputs(form: InputForm, data: TensorData[], outputs: TensorSpec[], batch: number): ModelOutput {
  const tensors = data.map((d, j) => ({ data: d, shape: outputs[j].shape.map((s) => (s === 'N' ? batch : s)) }));
  if (form === 'named') return Object.fromEntries(outputs.map((s, j) => [s.name, tensors[j]]));
  if (form === 'single' && tensors.length === 1) return tensors[0];
  return tensors;
}
