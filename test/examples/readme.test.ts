/**
 * The example READMEs work as written: every `npx tfc ...` command in them runs, in order, from
 * a folder laid out like the repository root (`examples/` and `test/` linked in, so what the
 * commands write lands in a temporary folder), and exits 0. The MNIST bundle built with the
 * conformance case's weights predicts the case's expected outputs, and `tfc inspect` on
 * MobileNetV2 prints what README.md shows.
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

/** Runs the README's commands in order; each must exit 0. */
async function runReadme(example: string): Promise<Ran[]> {
  const commands = readmeTfcCommands(path.join(repoRoot, 'examples', example, 'README.md'));
  const ran: Ran[] = [];
  for (const argv of commands) {
    const r = await tfc(argv, root);
    expect(r.code, `npx tfc ${argv.join(' ')}\n${r.stderr}`).toBe(0);
    ran.push({ argv, stdout: r.stdout });
  }
  return ran;
}

describe('example READMEs', () => {
  it('examples/mnist_cnn: summary, run, and a bundle with the saved weights that predicts the expected outputs', async () => {
    const ran = await runReadme('mnist_cnn');
    expect(ran.map(({ argv }) => argv[0])).toEqual(['summary', 'run', 'build', 'predict']);
    const predict = ran[3].argv;
    const output = predict[predict.indexOf('--output') + 1];
    const input = predict[predict.indexOf('--input') + 1];
    expect(input).toBe('test/conformance/keras/mnist_cnn/input_1.npy');
    expect(compareTensors(readTensor(path.join(root, output)), readTensor(path.join(kerasCaseDir('mnist_cnn'), 'expected_1.npy')))).toBeNull();
  });

  it("examples/mobilenet_v2: summary and inspect; inspect prints README.md's transcript", async () => {
    const ran = await runReadme('mobilenet_v2');
    expect(ran.map(({ argv }) => argv.join(' '))).toEqual(['summary examples/mobilenet_v2/model.ts', 'inspect examples/mobilenet_v2/model.ts']);
    expect(ran[1].stdout).toBe(readmeTranscript(path.join(repoRoot, 'README.md'), 'npx tfc inspect examples/mobilenet_v2/model.ts'));
  });
});
