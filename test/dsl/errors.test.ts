/**
 * Shape and option errors are reported at the user's source position: this
 * file is the "user source", and each offending call carries a marker
 * comment whose line the error must name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { input, layers, model, ModelBuildError, sequential } from '../../compiler/frontend/dsl/index.js';
import { repoRoot } from '../helpers/conformance.js';

const thisFile = fileURLToPath(import.meta.url);
const thisSource = readFileSync(thisFile, 'utf8').split('\n');
const shownFile = path.relative(process.cwd(), thisFile);

/** `file:line:` of the line carrying `// @marker` (1-based, as stack traces count). */
function at(marker: string): string {
  const index = thisSource.findIndex((l) => l.includes(`// @${marker}`));
  if (index < 0) throw new Error(`no marker ${marker}`);
  return `${shownFile}:${index + 1}:`;
}

function caught(f: () => unknown): ModelBuildError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelBuildError);
    return e as ModelBuildError;
  }
  throw new Error('expected an error');
}

describe('DSL error positions', () => {
  it('reports a sequential shape error at the offending layer factory call', () => {
    const e = caught(() =>
      sequential([
        layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 1] }),
        layers.maxPooling2d({ poolSize: 2 }),
        layers.conv2d({ filters: 4, kernelSize: 5 }), // @seq-conv
        layers.flatten(),
      ]),
    );
    expect(e.message.startsWith(at('seq-conv'))).toBe(true);
    expect(e.message).toMatch(/layer 'conv2d' \(Conv2D\)|Conv2D/);
    expect(e.message).toContain('f32[N,2,2,4]');
  });

  it('reports a functional shape error at the apply call', () => {
    const a = input({ shape: [4, 6] });
    const b = input({ shape: [5, 7] });
    const e = caught(() => layers.concatenate({ axis: -1 }).apply([a, b])); // @concat
    expect(e.message.startsWith(at('concat'))).toBe(true);
    expect(e.message).toContain('Concatenate');
  });

  it('reports a rank mismatch at the apply call', () => {
    const x = input({ shape: [8] });
    const conv = layers.conv2d({ filters: 2, kernelSize: 3 });
    const e = caught(() => conv.apply(x)); // @rank
    expect(e.message.startsWith(at('rank'))).toBe(true);
    expect(e.message).toContain('f32[N,8]');
  });

  it('reports a bad option at the factory call', () => {
    const e = caught(() => layers.dense({ units: 3, activation: 'sparkle' })); // @activation
    expect(e.message.startsWith(at('activation'))).toBe(true);
    expect(e.message).toContain('sparkle');
    const i = caught(() => layers.dense({ units: 3, kernelInitializer: 'glorious' })); // @init
    expect(i.message.startsWith(at('init'))).toBe(true);
    expect(i.message).toContain("kernel_initializer");
  });

  it('requires an input shape on the first sequential layer', () => {
    const e = caught(() => sequential([layers.dense({ units: 2 })])); // @first
    expect(e.message.startsWith(at('first'))).toBe(true);
    expect(e.message).toContain('inputShape');
  });

  it('rejects a shared layer applied to inputs its weights cannot take', () => {
    const dense = layers.dense({ units: 3 });
    dense.apply(input({ shape: [4] }));
    const e = caught(() => dense.apply(input({ shape: [5] }))); // @shared
    expect(e.message.startsWith(at('shared'))).toBe(true);
    expect(e.message).toContain('first applied to (f32[N,4])');
  });

  it('rejects outputs that depend on inputs the model does not list', () => {
    const a = input({ shape: [4], name: 'a' });
    const b = input({ shape: [4], name: 'b' });
    const sum = layers.add().apply([a, b]);
    const e = caught(() => model({ inputs: [a], outputs: sum })); // @model
    expect(e.message.startsWith(at('model'))).toBe(true);
    expect(e.message).toContain("input 'b'");
  });

  it('rejects two different layers with the same name', () => {
    const x = input({ shape: [4] });
    const y = layers.dense({ units: 2, name: 'twin' }).apply(layers.dense({ units: 4, name: 'twin' }).apply(x));
    expect(() => model({ inputs: x, outputs: y })).toThrow(/two different layers or inputs are named 'twin'/);
  });

  it('positions are relative to the working directory (the repository root here)', () => {
    expect(path.resolve(repoRoot, shownFile)).toBe(thisFile);
  });
});
