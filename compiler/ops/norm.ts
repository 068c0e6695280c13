/**
 * Normalizations at inference (see docs/OPS.md, "norm.ts").
 *
 *     %5 = batch_norm(%x, %mean, %var, %gamma, %beta) {epsilon=0.001, axis=-1} : f32[N,7,7,16]
 *     %6 = layer_norm(%x, %gamma, %beta) {axes=[-1], epsilon=0.001} : f32[N,5,12]
 */
import { IRError } from '../ir/errors.js';
import { defineOp } from '../ir/define_op.js';
import type { OpAttrs } from '../ir/op_types.js';
import { sizeOf } from '../ir/tensor.js';
import { formatShape, type Shape, type TensorType } from '../ir/types.js';
import { requireDType } from './elementwise/define.js';
import { normalizeAxes, projectIndexMap } from './reduce.js';

/** Checks that a parameter operand is f32 of exactly `shape`. */
function requireParam(t: TensorType, shape: Shape, what: string): void {
  requireDType(t, ['f32'], what);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new IRError(`${what} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
}

function checkEpsilon(attrs: OpAttrs['batch_norm' | 'layer_norm']): void {
  const eps = attrs.epsilon;
  if (!(eps >= 0)) throw new IRError(`epsilon must be >= 0, got ${eps}`);
}

const BN_PARAMS = ['mean', 'variance', 'gamma', 'beta'] as const;

defineOp({
  name: 'batch_norm',
  doc:
    'Inference batch normalization over `axis`: (x - mean) / sqrt(variance + epsilon) * gamma + beta, ' +
    'with the four parameters 1-D over that axis.\n\n' +
    '    %5 = batch_norm(%x, %mean, %var, %gamma, %beta) {epsilon=0.001, axis=-1} : f32[N,7,7,16]',
  attrs: { epsilon: { kind: 'float', default: 0.001 }, axis: { kind: 'int', default: -1 } },
  arity: 5,
  verify(_inputs, attrs) {
    checkEpsilon(attrs);
  },
  infer([x, ...params], attrs) {
    requireDType(x, ['f32'], 'the input');
    const axis = normalizeAxes([attrs.axis], x.shape.length)[0];
    const channels = x.shape[axis];
    if (channels === 'N') throw new IRError('batch_norm cannot normalize over the batch axis N');
    params.forEach((p, i) => requireParam(p, [channels], BN_PARAMS[i]));
    return [{ dtype: 'f32', shape: [...x.shape] }];
  },
  reference([x, mean, variance, gamma, beta], attrs) {
    const axis = normalizeAxes([attrs.axis], x.shape.length)[0];
    const eps = attrs.epsilon;
    const channels = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const scale = new Float64Array(channels);
    const shift = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      scale[c] = gamma.data[c] / Math.sqrt(variance.data[c] + eps);
      shift[c] = beta.data[c] - mean.data[c] * scale[c];
    }
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) {
      const c = Math.floor(i / inner) % channels;
      out[i] = x.data[i] * scale[c] + shift[c];
    }
    return [{ dtype: 'f32', shape: [...x.shape], data: out }];
  },
});

/** The normalized axes of a layer_norm, ascending (gamma/beta follow this order). */
function normAxes(attrs: OpAttrs['layer_norm'], rank: number): number[] {
  const axes = normalizeAxes(attrs.axes, rank).sort((a, b) => a - b);
  if (axes.length === 0) throw new IRError('layer_norm needs at least one axis');
  return axes;
}

defineOp({
  name: 'layer_norm',
  doc:
    'Layer normalization: per sample, mean and biased variance over `axes`, then ' +
    '(x - mean) / sqrt(var + epsilon) * gamma + beta; gamma and beta have the sizes of those axes (ascending).\n\n' +
    '    %6 = layer_norm(%x, %gamma, %beta) {axes=[-1], epsilon=0.001} : f32[N,5,12]',
  attrs: { axes: { kind: 'ints', default: [-1] }, epsilon: { kind: 'float', default: 0.001 } },
  arity: 3,
  verify(_inputs, attrs) {
    checkEpsilon(attrs);
  },
  infer([x, gamma, beta], attrs) {
    requireDType(x, ['f32'], 'the input');
    const paramShape = normAxes(attrs, x.shape.length).map((ax) => x.shape[ax]);
    if (paramShape.includes('N')) throw new IRError('layer_norm cannot normalize over the batch axis N');
    requireParam(gamma, paramShape, 'gamma');
    requireParam(beta, paramShape, 'beta');
    return [{ dtype: 'f32', shape: [...x.shape] }];
  },
  reference([x, gamma, beta], attrs) {
    const axes = new Set(normAxes(attrs, x.shape.length));
    const groupOf = projectIndexMap(x.shape, new Set(x.shape.map((_, ax) => ax).filter((ax) => !axes.has(ax))));
    const paramOf = projectIndexMap(x.shape, axes);
    const groups = sizeOf(x.shape.filter((_, ax) => !axes.has(ax)));
    const count = sizeOf(x.shape.filter((_, ax) => axes.has(ax)));
    const mean = new Float64Array(groups);
    for (let i = 0; i < x.data.length; i++) mean[groupOf[i]] += x.data[i];
    for (let g = 0; g < groups; g++) mean[g] /= count;
    const variance = new Float64Array(groups);
    for (let i = 0; i < x.data.length; i++) variance[groupOf[i]] += (x.data[i] - mean[groupOf[i]]) ** 2;
    const eps = attrs.epsilon;
    const invStd = variance.map((v) => 1 / Math.sqrt(v / count + eps));
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) {
      const g = groupOf[i];
      out[i] = (x.data[i] - mean[g]) * invStd[g] * gamma.data[paramOf[i]] + beta.data[paramOf[i]];
    }
    return [{ dtype: 'f32', shape: [...x.shape], data: out }];
  },
});
