/**
 * A DSL model's weights together must fit MAX_WEIGHT_BYTES. Their values are
 * lazy (computed one weight at a time when something reads them, see
 * initializers.ts), so a model whose weights exceed the limit in all still
 * summarizes and inspects, and the optimizer may still read its small weights
 * (biases, norms); but once the weights computed for one spec would pass the
 * limit, reading another is a LimitError naming the model's total, instead of
 * allocating until the process dies.
 */
import { sizeOf, type Tensor, type TensorData } from '../../ir/tensor.js';
import { formatShape } from '../../ir/types.js';
import type { LayerInstance } from '../../layers/layer.js';
import { formatBytes, LimitError, MAX_WEIGHT_BYTES } from '../../limits.js';

const bytesOf = (t: Tensor): number => sizeOf(t.shape) * (t.dtype === 'bool' ? 1 : 4);

/**
 * The layers as given when their weights fit `limit` together; otherwise
 * with each weight behind a guard that charges its bytes to one budget for
 * all of them the first time its values are read.
 */
export function withinWeightLimit(layers: LayerInstance[], modelName: string, limit = MAX_WEIGHT_BYTES): LayerInstance[] {
  const weights = layers.flatMap((l) => [...l.weights].map(([name, t]) => ({ name: `${l.name}/${name}`, t })));
  const total = weights.reduce((n, w) => n + bytesOf(w.t), 0);
  if (total <= limit) return layers;
  const largest = weights.reduce((a, b) => (bytesOf(b.t) > bytesOf(a.t) ? b : a));
  const message =
    `model '${modelName}': its weights need ${formatBytes(total)} (the largest, '${largest.name}', is ${largest.t.dtype}${formatShape(largest.t.shape)}); ` +
    `the limit for a model's weights is ${formatBytes(limit)} (MAX_WEIGHT_BYTES)`;
  let computed = 0;
  const guarded = (t: Tensor): Tensor => {
    let charged = false;
    return {
      dtype: t.dtype,
      shape: t.shape,
      get data(): TensorData {
        if (!charged) {
          if (computed + bytesOf(t) > limit) throw new LimitError(message);
          computed += bytesOf(t);
          charged = true;
        }
        return t.data;
      },
    };
  };
  return layers.map((l) => ({ ...l, weights: new Map([...l.weights].map(([name, t]) => [name, guarded(t)])) }));
}
