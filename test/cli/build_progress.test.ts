/**
 * `tfc build`'s progress line: on a real pseudo-terminal (util-linux
 * `script`), a stage that runs longer than a second is shown on stderr with
 * its elapsed time, redrawn in place, even while the main thread is blocked
 * (the model module busy-waits 1.5 s), and cleared before the summary or the
 * error line; with stderr not a terminal nothing but the summary is printed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tfc } from './tfc.js';

const bin = path.join(repoRoot, 'packages/compiler/bin/tfc.js');

/** Whether util-linux `script` is here to give the command a pseudo-terminal. */
function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `tfc args` on a pseudo-terminal; everything it wrote to the terminal, escape sequences included. */
function tfcOnTerminal(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { cwd, env: { ...process.env, COLUMNS: '200' } }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout });
    });
  });
}

/** A DSL model whose module blocks the main thread for 1.5 s while it is loaded. */
const slowModel = (body: string): string =>
  ["import { layers, sequential } from 'tfc-compiler/dsl';", 'const until = Date.now() + 1500;', 'while (Date.now() < until);', body].join('\n');

const CLEAR_LINE = '\r\x1b[2K';

let tmp: string;
let model: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-build-progress-'));
  writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(path.join(tmp, 'node_modules'));
  symlinkSync(path.join(repoRoot, 'packages/compiler'), path.join(tmp, 'node_modules/tfc-compiler'), 'dir');
  model = path.join(tmp, 'slow.ts');
  writeFileSync(model, slowModel("export default sequential([layers.dense({ units: 2, inputShape: [3], name: 'out' })]);"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tfc build progress', () => {
  it('prints only the summary when stderr is not a terminal', async () => {
    const r = await tfc(['build', model, '--out', path.join(tmp, 'piped')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^built \S+piped \(model '\w+', target wasm\)\n/);
  });

  it.skipIf(!hasScript())('shows a long stage with its elapsed time on a terminal, redrawn in place, cleared before the summary', async () => {
    const r = await tfcOnTerminal(['build', 'slow.ts', '--out', 'tty'], tmp);
    expect(r.code, r.output).toBe(0);
    const drawn = [...r.output.matchAll(/\r\x1b\[2Ktfc build: loading slow\.ts \((\d+\.\d) s\)/g)].map((m) => Number(m[1]));
    // Drawn from one second on, while the module blocked the main thread, and redrawn as time went on.
    expect(drawn.length, r.output).toBeGreaterThan(1);
    expect(drawn[0]).toBeGreaterThanOrEqual(1);
    expect(drawn[drawn.length - 1]).toBeGreaterThan(drawn[0]);
    const summary = r.output.indexOf('built tty');
    expect(r.output.lastIndexOf(CLEAR_LINE, summary)).toBeGreaterThan(r.output.lastIndexOf('tfc build:', summary));
    expect(existsSync(path.join(tmp, 'tty', 'manifest.json'))).toBe(true);
  });

  it.skipIf(!hasScript())('clears the line before the error line', async () => {
    writeFileSync(path.join(tmp, 'slow_bad.ts'), slowModel('export default sequential([layers.conv2d({ filters: 2, kernelSize: 5, inputShape: [3, 3, 1] })]);'));
    const r = await tfcOnTerminal(['build', 'slow_bad.ts', '--out', 'bad'], tmp);
    expect(r.code).toBe(1);
    const error = r.output.indexOf('tfc: error: ');
    expect(error, r.output).toBeGreaterThan(0);
    expect(r.output.slice(0, error)).toMatch(/tfc build: loading slow_bad\.ts \(\d+\.\d s\)\r\x1b\[2K$/);
    expect(r.output.slice(error)).toMatch(/^tfc: error: slow_bad\.ts:4:\d+: .*conv2d[^\n]*\r?\n$/);
    expect(existsSync(path.join(tmp, 'bad'))).toBe(false);
  });
});
