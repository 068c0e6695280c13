/**
 * The relaxed-SIMD twin is one compile: the module is generated and optimized
 * once, and the plain module is that one with each f32x4.relaxed_madd lowered
 * to f32x4.mul + f32x4.add. So the two binaries are byte-identical except in
 * the GEMM functions' bodies; the plain one uses no relaxed SIMD; and both
 * predict the expected outputs (TF.js's, from the conformance suite).
 */
import { setFlagsFromString } from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelSource } from '../../compiler/frontend/load.js';
import { lowerModel } from '../../compiler/frontend/lower.js';
import { lowerForTargets } from '../../compiler/passes/lowering.js';
import { compile, writeBundle } from '../../driver/index.js';
import { optimize } from '../../driver/optimize.js';
import { loadModel, type TensorLike } from '../../runtime/index.js';
import { compileWasmTwins, type WasmTwins } from '../../targets/wasm/index.js';
import { listConformanceCases, loadSample, type ConformanceCase } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';

// Node 20 has relaxed SIMD behind a flag, read when a module compiles.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/** f32x4.relaxed_madd: the SIMD prefix, then opcode 0x105 as LEB128. */
const RELAXED_MADD = [0xfd, 0x85, 0x02];
const CODE_SECTION = 10;

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * shift;
    if (byte < 0x80) return [value, at];
  }
}

interface ParsedModule {
  /** Every section but the code section, as id and bytes, in order. */
  sections: { id: number; bytes: Uint8Array }[];
  /** Each function body of the code section, in function order. */
  bodies: Uint8Array[];
}

function parseModule(wasm: Uint8Array): ParsedModule {
  const parsed: ParsedModule = { sections: [], bodies: [] };
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = leb(wasm, at + 1);
    at = start + size;
    if (id !== CODE_SECTION) {
      parsed.sections.push({ id, bytes: wasm.subarray(start, at) });
      continue;
    }
    let [count, p] = leb(wasm, start);
    for (; count > 0; count--) {
      const [bodySize, bodyStart] = leb(wasm, p);
      parsed.bodies.push(wasm.subarray(bodyStart, bodyStart + bodySize));
      p = bodyStart + bodySize;
    }
  }
  return parsed;
}

function holdsRelaxedMadd(body: Uint8Array): boolean {
  return body.some((_, i) => RELAXED_MADD.every((b, k) => body[i + k] === b));
}

/** The function names in the order of the module text, which is the binary's function order (no imports). */
function functionNames(text: string): string[] {
  return [...text.matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
}

const mnist = (): ConformanceCase => {
  const c = listConformanceCases().find((x) => x.suite === 'keras' && x.name === 'mnist_cnn');
  if (!c) throw new Error('conformance case keras/mnist_cnn not found');
  return c;
};

let twins: WasmTwins;
let tmp: string;

beforeAll(async () => {
  const graph = lowerModel(await loadModelSource(mnist().modelFile, {})).graph;
  optimize(graph, {});
  lowerForTargets(graph);
  twins = compileWasmTwins(graph, { text: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-relaxed-twin-'));
  await writeBundle(await compile(mnist().modelFile), path.join(tmp, 'bundle'));
}, 120_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the relaxed-SIMD twin', () => {
  it('differs from the plain module only in the GEMM function bodies', () => {
    const plain = parseModule(twins.wasm.wasm);
    const relaxed = parseModule(twins.relaxed.wasm);
    expect(relaxed.sections).toEqual(plain.sections);
    expect(relaxed.bodies.length).toBe(plain.bodies.length);
    const names = functionNames(twins.relaxed.text!);
    expect(names).toEqual(functionNames(twins.wasm.text!));
    expect(names.length).toBe(relaxed.bodies.length);

    const differing = names.filter((_, i) => !Buffer.from(relaxed.bodies[i]).equals(Buffer.from(plain.bodies[i])));
    const gemms = names.filter((n) => n.endsWith('_gemm'));
    // mnist_cnn: two convolutions and two Dense layers, each one GEMM.
    expect(gemms.length).toBe(4);
    expect(differing).toEqual(gemms);
    relaxed.bodies.forEach((body, i) => expect(holdsRelaxedMadd(body), names[i]).toBe(gemms.includes(names[i])));
    expect(plain.bodies.some(holdsRelaxedMadd)).toBe(false);
  });

  it('keeps relaxed SIMD out of the plain module, which validates without it', () => {
    expect(twins.relaxed.text).toContain('f32x4.relaxed_madd');
    expect(twins.wasm.text).not.toContain('relaxed');
    expect(WebAssembly.validate(twins.wasm.wasm)).toBe(true);
    expect(WebAssembly.validate(twins.relaxed.wasm)).toBe(true);
  });

  it('shares the layout and the weights', () => {
    expect(twins.relaxed.layout).toEqual(twins.wasm.layout);
    expect(twins.relaxed.weights).toBe(twins.wasm.weights);
  });

  it.each([true, false])('predicts the expected outputs (relaxedSimd: %s)', async (relaxedSimd) => {
    const c = mnist();
    const model = await loadModel(path.join(tmp, 'bundle'), { relaxedSimd });
    expect(model.summary()).toMatchObject({ wasmFile: relaxedSimd ? 'model.relaxed.wasm' : 'model.wasm', relaxedSimd });
    for (const sample of c.samples) {
      const { inputs, expected } = loadSample(sample);
      const outs = (await model.predict(inputs.map((t) => ({ data: t.data, shape: t.shape }) as TensorLike))) as TensorLike[];
      expected.forEach((e, j) => expect(compareTensors({ dtype: e.dtype, shape: [...outs[j].shape], data: outs[j].data }, e, c.tolerance), `output ${j}`).toBeNull());
    }
    model.dispose();
  });
});
