/**
 * The READMEs work as written: every `npx tfc ...` command of README.md's "Set up" and of the
 * example READMEs runs, in order, from a folder laid out like the repository root (`examples/`
 * and `test/` linked in, so what the commands write lands in a temporary folder), and exits 0.
 * The dense_mlp bundle of the set-up command and the MNIST bundle built with the conformance
 * case's weights predict the cases' expected outputs, and `tfc inspect` on MobileNetV2 prints
 * what README.md shows.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTensor, kerasCaseDir } from '../helpers/conformance.js';
import { compareTensors } from '../helpers/tolerance.js';
import { repoRoot, tfc } from '../cli/tfc.js';
import { readmeTfcCommands, readmeTranscript } from './readme_commands.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tfc-example-readme-'));
  for (const dir of ['examples', 'test']) symlinkSync(path.join(repoRoot, dir), path.join(root, dir), 'dir');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Ran {
  argv: string[];
  stdout: string;
}

/** Runs a README's commands (those of one section with `section`) in order; each must exit 0. */
async function runReadme(readme: string, section?: string): Promise<Ran[]> {
  const commands = readmeTfcCommands(path.join(repoRoot, readme), section);
  const ran: Ran[] = [];
  for (const argv of commands) {
    const r = await tfc(argv, root);
    expect(r.code, `npx tfc ${argv.join(' ')}\n${r.stderr}`).toBe(0);
    ran.push({ argv, stdout: r.stdout });
  }
  return ran;
}

/** Checks a command's --output against the expected output of the conformance sample its --input names (input_K.npy → expected_K.npy). */
function expectOutput(ran: Ran, caseName: string): void {
  const { argv } = ran;
  const input = argv[argv.indexOf('--input') + 1];
  const sample = /input_(\d+)\.npy$/.exec(input);
  expect(input.startsWith(`test/conformance/keras/${caseName}/`) && sample !== null, input).toBe(true);
  const output = argv[argv.indexOf('--output') + 1];
  expect(compareTensors(readTensor(path.join(root, output)), readTensor(path.join(kerasCaseDir(caseName), `expected_${sample![1]}.npy`)))).toBeNull();
}

describe("README.md's set-up command", () => {
  it('builds dense_mlp from the repository into a wasm bundle and predicts its expected outputs', async () => {
    const ran = await runReadme('README.md', 'Set up');
    expect(ran.map(({ argv }) => argv[0])).toEqual(['build', 'predict']);
    expectOutput(ran[1], 'dense_mlp');
  });
});

describe('example READMEs', () => {
  it('examples/mnist_cnn: summary, run, and a bundle with the saved weights that predicts the expected outputs', async () => {
    const ran = await runReadme('examples/mnist_cnn/README.md');
    expect(ran.map(({ argv }) => argv[0])).toEqual(['summary', 'run', 'build', 'predict']);
    expectOutput(ran[3], 'mnist_cnn');
  });

  it("examples/mobilenet_v2: summary and inspect; inspect prints README.md's transcript", async () => {
    const ran = await runReadme('examples/mobilenet_v2/README.md');
    expect(ran.map(({ argv }) => argv.join(' '))).toEqual(['summary examples/mobilenet_v2/model.ts', 'inspect examples/mobilenet_v2/model.ts']);
    expect(ran[1].stdout).toBe(readmeTranscript(path.join(repoRoot, 'README.md'), 'npx tfc inspect examples/mobilenet_v2/model.ts'));
  });
});
