/**
 * Layer wrappers: Bidirectional (a recurrent layer run forwards and
 * backwards, outputs merged) and TimeDistributed (a layer applied at every
 * time step).
 */
import { GraphBuilder } from '../ir/builder.js';
import type { Value } from '../ir/graph.js';
import { formatType, type TensorType } from '../ir/types.js';
import { ConfigReader, show, snakeCase } from './config.js';
import { registerWithAliases } from './helpers.js';
import { LayerError, type LayerDef, type RawConfig, type WeightSpec } from './layer.js';
import { CUDNN_CLASSES } from './cudnn_recurrent.js';
import { RECURRENT_CLASSES, type RecurrentConfig } from './recurrent.js';
import { getLayer } from './registry.js';

interface WrappedLayer {
  className: string;
  name: string;
  raw: RawConfig;
  where: string;
}

/** Reads a `{class_name, config}` wrapped-layer entry. */
function readWrapped(r: ConfigReader, key: string): WrappedLayer {
  const v = r.value(key);
  const entry = v as { class_name?: unknown; config?: unknown } | undefined;
  if (typeof entry !== 'object' || entry === null || typeof entry.class_name !== 'string' || typeof entry.config !== 'object' || entry.config === null) {
    throw r.error(key, `must be a layer {class_name, config}, got ${show(v)}`);
  }
  const raw = entry.config as RawConfig;
  const name = typeof raw.name === 'string' ? raw.name : snakeCase(entry.class_name);
  return { className: entry.class_name, name, raw, where: `${r.where}, wrapped layer '${name}' (${entry.class_name})` };
}

/** Weights named `<prefix>/<name>`, for the inner layer's view. */
function prefixed(prefix: string, specs: WeightSpec[]): WeightSpec[] {
  return specs.map((w) => ({ ...w, name: `${prefix}/${w.name}` }));
}

function unprefixed(prefix: string, weights: Map<string, Value>): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [name, v] of weights) if (name.startsWith(`${prefix}/`)) out.set(name.slice(prefix.length + 1), v);
  return out;
}

type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | 'none';

interface BidirectionalConfig {
  forward: RecurrentConfig;
  backward: RecurrentConfig;
  forwardDef: LayerDef;
  backwardDef: LayerDef;
  forwardPrefix: string;
  backwardPrefix: string;
  mergeMode: MergeMode;
}

/** The recurrent layer classes Bidirectional can wrap. */
const WRAPPABLE: readonly string[] = [...RECURRENT_CLASSES, ...CUDNN_CLASSES];

function parseRecurrentWrapped(w: WrappedLayer): { def: LayerDef; config: RecurrentConfig } {
  if (!WRAPPABLE.includes(w.className)) {
    throw new LayerError(`${w.where}: Bidirectional wraps only ${WRAPPABLE.join(', ')}`);
  }
  const def = getLayer(w.className, w.where);
  return { def, config: def.parseConfig(w.raw, w.where) as RecurrentConfig };
}

export const Bidirectional: LayerDef<BidirectionalConfig> = {
  className: 'Bidirectional',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const inner = readWrapped(r, 'layer');
    const forward = parseRecurrentWrapped(inner);
    const mode = r.value('merge_mode');
    if (mode !== undefined && !['concat', 'sum', 'mul', 'ave'].includes(mode as string)) {
      throw r.error('merge_mode', `must be 'concat', 'sum', 'mul', 'ave' or null, got ${show(mode)}`);
    }
    // Keras 3 writes the backward layer out; Keras 2 and TF.js derive it by flipping go_backwards.
    const backward = r.has('backward_layer')
      ? parseRecurrentWrapped(readWrapped(r, 'backward_layer'))
      : parseRecurrentWrapped({ ...inner, raw: { ...inner.raw, go_backwards: !forward.config.goBackwards } });
    if (backward.config.goBackwards === forward.config.goBackwards) {
      throw r.error('backward_layer', 'must have the opposite go_backwards of the forward layer');
    }
    if (backward.config.returnSequences !== forward.config.returnSequences || backward.config.returnState !== forward.config.returnState) {
      throw r.error('backward_layer', 'must agree with the forward layer on return_sequences and return_state');
    }
    r.finish();
    return {
      forward: forward.config,
      backward: backward.config,
      forwardDef: forward.def,
      backwardDef: backward.def,
      forwardPrefix: `forward_${inner.name}`,
      backwardPrefix: `backward_${inner.name}`,
      mergeMode: (mode as MergeMode | undefined) ?? (raw.merge_mode === null ? 'none' : 'concat'),
    };
  },
  weights(c, inputs) {
    return [
      ...prefixed(c.forwardPrefix, c.forwardDef.weights(c.forward, inputs)),
      ...prefixed(c.backwardPrefix, c.backwardDef.weights(c.backward, inputs)),
    ];
  },
  lower(b, c, [x], weights) {
    const [yf, ...statesF] = c.forwardDef.lower(b, c.forward, [x], unprefixed(c.forwardPrefix, weights));
    const [yb0, ...statesB] = c.backwardDef.lower(b, c.backward, [x], unprefixed(c.backwardPrefix, weights));
    // The backward layer emits its sequence in processing order; put it back in time order.
    const yb = c.forward.returnSequences ? b.op('reverse', [yb0], { axes: [1] }) : yb0;
    let merged: Value[];
    switch (c.mergeMode) {
      case 'concat':
        merged = [b.op('concat', [yf, yb], { axis: yf.type.shape.length - 1 })];
        break;
      case 'sum':
        merged = [b.op('add', [yf, yb])];
        break;
      case 'mul':
        merged = [b.op('mul', [yf, yb])];
        break;
      case 'ave':
        merged = [b.op('mul', [b.op('add', [yf, yb]), b.scalar(0.5)])];
        break;
      case 'none':
        merged = [yf, yb];
        break;
    }
    return [...merged, ...statesF, ...statesB];
  },
};

interface TimeDistributedConfig {
  def: LayerDef;
  config: unknown;
}

/** The inner layer's view of a `[N, T, ...]` input: one time step, `[N, ...]`. */
function stepType(t: TensorType): TensorType {
  if (t.shape.length < 3) throw new LayerError(`expects an input of rank >= 3 (batch, time, ...), got ${formatType(t)}`);
  return { dtype: t.dtype, shape: [t.shape[0], ...t.shape.slice(2)] };
}

/**
 * Layers that map over leading axes (Dense, activations) are applied to the
 * whole sequence at once; any other layer runs once per time step inside a
 * stateless `scan`, its weights passed in as invariants.
 */
export const TimeDistributed: LayerDef<TimeDistributedConfig> = {
  className: 'TimeDistributed',
  parseConfig(raw, where) {
    const r = new ConfigReader(raw, where);
    const inner = readWrapped(r, 'layer');
    const def = getLayer(inner.className, inner.where);
    const config = def.parseConfig(inner.raw, inner.where);
    r.finish();
    return { def, config };
  },
  weights(c, inputs) {
    if (inputs.length !== 1) throw new LayerError(`expects 1 input, got ${inputs.length}`);
    return c.def.weights(c.config, [stepType(inputs[0])]);
  },
  lower(b, c, inputs, weights) {
    if (inputs.length !== 1) throw new LayerError(`expects 1 input, got ${inputs.length}`);
    const [x] = inputs;
    const step = stepType(x.type);
    if (c.def.mapsLeadingAxes) return c.def.lower(b, c.config, [x], weights);

    const names = [...weights.keys()];
    const body = new GraphBuilder(b.graph.childGraph(`${c.def.className.toLowerCase()}_step`));
    const xt = body.input('x_t', step);
    const bodyWeights = new Map(names.map((name, k) => [name, body.input(`w${k}`, weights.get(name)!.type)]));
    const outs = c.def.lower(body, c.config, [xt], bodyWeights);
    outs.forEach((v, k) => body.output(`y${k}`, v));
    return b.apply('scan', [x, ...names.map((n) => weights.get(n)!)], { num_states: 0, num_sequences: 1, reverse: false }, body.graph);
  },
};

registerWithAliases(Bidirectional);
registerWithAliases(TimeDistributed);
