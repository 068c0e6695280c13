/**
 * A build always hands the targets canonical convolutions: the conformance
 * conv1d and conv2d_transpose models build with the optimization pipeline on,
 * off (`--no-opt`) or with canonicalize-conv disabled, and their bundles
 * predict every sample within the case's tolerance on wasm and (with an
 * adapter) on WebGPU. The targets no longer implement either op, so a missed
 * lowering would be a refusal, not wrong numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, type CompileOptions } from '../../driver/index.js';
import { loadModel, type TensorLike } from '../../runtime/index.js';
import { kerasCaseDir, listConformanceCases, loadSample } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { gpu } from '../targets/webgpu/check.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-conv-lowering-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FLAGS: [string, CompileOptions][] = [
  ['the default pipeline', {}],
  ['--no-opt', { noOpt: true }],
  ['--disable-pass canonicalize-conv', { disablePass: ['canonicalize-conv'] }],
];

const BACKENDS = gpu ? (['wasm', 'webgpu'] as const) : (['wasm'] as const);

const RUNS = FLAGS.flatMap(([label, options]) => BACKENDS.map((backend) => [label, backend, options] as const));

describe.each(['conv1d', 'conv2d_transpose'])('keras/%s', (name) => {
  const c = listConformanceCases().find((k) => k.dir === kerasCaseDir(name));
  it.each(RUNS)('builds with %s and predicts the expected outputs on %s', async (label, backend, options) => {
    if (!c) throw new Error(`no conformance case keras/${name}`);
    const out = path.join(tmp, `${name}-${backend}-${label.replace(/\W+/g, '_')}`);
    await build(c.modelFile, out, { ...options, targets: [backend] });
    const model = await loadModel(out, { backend, gpu });
    for (const sample of c.samples) {
      const { inputs, expected } = loadSample(sample);
      const got = (await model.predict(inputs.map((t) => ({ data: Float32Array.from(t.data), shape: t.shape })))) as TensorLike | TensorLike[];
      const outputs = Array.isArray(got) ? got : [got];
      expected.forEach((want, i) => {
        const y = outputs[i];
        expect(compareTensors({ dtype: 'f32', shape: [...y.shape], data: Float32Array.from(y.data) }, want, c.tolerance)).toBeNull();
      });
    }
    model.dispose();
  });
});
