import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { input, layers, model, sequential } from '../../compiler/frontend/dsl/index.js';
import { loadKerasFile } from '../../compiler/frontend/keras/index.js';
import { summarizeModel } from '../../compiler/frontend/summary.js';
import { listConformanceCases } from '../helpers/conformance.js';

/** Column end positions Keras uses: sequential (65 wide) and functional (98 wide) tables. */
const SEQUENTIAL_COLUMNS = [29, 55, 65];
const FUNCTIONAL_COLUMNS = [32, 53, 65, 98];

function total(text: string, label: string): number {
  const m = new RegExp(`^${label}: ([\\d,]+)$`, 'm').exec(text);
  if (!m) throw new Error(`no '${label}' line in\n${text}`);
  return Number(m[1].replace(/,/g, ''));
}

/** The first line of a layer's row, cut into its columns. */
function row(text: string, layer: string, columns: number[]): string[] {
  const line = text.split('\n').find((l) => l.startsWith(` ${layer} (`));
  if (line === undefined) throw new Error(`no row for '${layer}' in\n${text}`);
  return columns.map((end, i) => line.slice(i === 0 ? 0 : columns[i - 1], end).trim());
}

/**
 * A summary shape against a case.json shape. TF.js leaves a Reshape's `-1`
 * unresolved (`null`) in case.json, where tfc knows the size: a `null` past
 * the batch axis matches any size.
 */
function matchesCaseShape(shown: string, shape: (number | null)[]): boolean {
  const dims = shown.replace(/^\(|,?\)$/g, '').split(', ');
  return dims.length === shape.length && dims.every((d, i) => (shape[i] === null ? i > 0 || d === 'None' : d === String(shape[i])));
}

interface Manifest {
  weightsManifest: { weights: { name: string; shape: number[] }[] }[];
}

describe('summarizeModel', () => {
  const cases = listConformanceCases().filter((c) => c.suite === 'keras');

  it.each(cases.map((c) => [c.name, c] as const))('%s: totals match the weights manifest, output rows match case.json', async (_name, kase) => {
    const spec = await loadKerasFile(kase.modelFile);
    const text = summarizeModel(spec);
    const manifest = JSON.parse(readFileSync(kase.modelFile, 'utf8')) as Manifest;
    const weights = manifest.weightsManifest.flatMap((g) => g.weights);
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    const all = weights.reduce((s, w) => s + size(w.shape), 0);
    const movingStats = weights.filter((w) => /moving_(mean|variance)$/.test(w.name)).reduce((s, w) => s + size(w.shape), 0);
    expect(total(text, 'Total params')).toBe(all);
    expect(total(text, 'Non-trainable params')).toBe(movingStats);
    expect(total(text, 'Trainable params')).toBe(all - movingStats);
    expect(text.split('\n')[0]).toBe(`Model: "${spec.name}"`);

    const caseJson = JSON.parse(readFileSync(kase.modelFile.replace(/model\.json$/, 'case.json'), 'utf8')) as {
      outputs: { name: string; shape: (number | null)[] }[];
    };
    const columns = spec.kind === 'Functional' ? FUNCTIONAL_COLUMNS : SEQUENTIAL_COLUMNS;
    for (const out of caseJson.outputs) {
      const shown = row(text, out.name, columns)[1];
      expect(matchesCaseShape(shown, out.shape), `${out.name}: ${shown} vs ${JSON.stringify(out.shape)}`).toBe(true);
    }
  });

  it('reproduces Keras numbers for the classic MNIST convnet', () => {
    const m = sequential(
      [
        input({ shape: [28, 28, 1] }),
        layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.flatten(),
        layers.dropout({ rate: 0.5 }),
        layers.dense({ units: 10, activation: 'softmax' }),
      ],
      { name: 'mnist' },
    );
    // Keras' formulas: valid 3x3 conv takes 2 off each side length, 2x2 pooling halves (floor),
    // Conv2D params = kh*kw*cin*filters + filters, Dense params = in*units + units.
    const c1 = 28 - 2;
    const p1 = Math.floor(c1 / 2);
    const c2 = p1 - 2;
    const p2 = Math.floor(c2 / 2);
    const flat = p2 * p2 * 64;
    const expected: [string, string, number][] = [
      ['conv2d (Conv2D)', `(None, ${c1}, ${c1}, 32)`, 3 * 3 * 1 * 32 + 32],
      ['max_pooling2d (MaxPooling2D', `(None, ${p1}, ${p1}, 32)`, 0],
      ['conv2d_1 (Conv2D)', `(None, ${c2}, ${c2}, 64)`, 3 * 3 * 32 * 64 + 64],
      ['max_pooling2d_1 (MaxPooling', `(None, ${p2}, ${p2}, 64)`, 0],
      ['flatten (Flatten)', `(None, ${flat})`, 0],
      ['dropout (Dropout)', `(None, ${flat})`, 0],
      ['dense (Dense)', '(None, 10)', flat * 10 + 10],
    ];
    const text = m.summary();
    for (const [name, shape, params] of expected) {
      const layer = name.split(' ')[0];
      expect(row(text, layer, SEQUENTIAL_COLUMNS)).toEqual([name, shape, String(params)]);
    }
    const sum = expected.reduce((s, [, , p]) => s + p, 0);
    // The total Keras' own example prints for this model.
    expect(sum).toBe(34826);
    expect(text).toContain('Total params: 34,826\nTrainable params: 34,826\nNon-trainable params: 0');
    expect(text).not.toContain('Connected to');
    const lines = text.split('\n');
    expect(lines[1]).toBe('_'.repeat(65));
    expect(lines[2]).toBe(' Layer (type)                Output Shape              Param #');
    expect(lines[3]).toBe('='.repeat(65));
    // A name too long for its column wraps onto the next line, as in Keras.
    expect(lines[lines.findIndex((l) => l.startsWith(' max_pooling2d (')) + 1]).toBe(' )');
  });

  it('prints input rows, connections and multiple calls for functional models', () => {
    const a = input({ shape: [4], name: 'a' });
    const b = input({ shape: [4], name: 'b' });
    const shared = layers.dense({ units: 3, name: 'shared' });
    const frozen = layers.batchNormalization({ name: 'bn', trainable: false });
    const sum = layers.add().apply([shared.apply(a), shared.apply(b)]);
    const text = model({ inputs: [a, b], outputs: frozen.apply(sum), name: 'pair' }).summary();
    expect(text).toContain(' Layer (type)                   Output Shape         Param #     Connected to');
    expect(row(text, 'a', FUNCTIONAL_COLUMNS)).toEqual(['a (InputLayer)', '[(None, 4)]', '0', '[]']);
    expect(row(text, 'shared', FUNCTIONAL_COLUMNS)).toEqual(['shared (Dense)', 'multiple', String(4 * 3 + 3), "['a[0][0]', 'b[0][0]']"]);
    expect(row(text, 'add', FUNCTIONAL_COLUMNS)).toEqual(['add (Add)', '(None, 3)', '0', "['shared[0][0]', 'shared[1][0]']"]);
    // A frozen layer's weights are all non-trainable.
    expect(total(text, 'Trainable params')).toBe(15);
    expect(total(text, 'Non-trainable params')).toBe(4 * 3);
  });
});
