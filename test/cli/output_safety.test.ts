/**
 * Never lose a user's files, never leave partial output (issue #9, defects 1,
 * 5 and 8): `tfc build --out` replaces only a provable tfc bundle; `--output`
 * paths are checked before anything runs; an error, SIGINT or SIGTERM while
 * writing leaves the disk exactly as it was; batch 0 is refused alike by
 * `tfc run` and `tfc predict`; `tfc inspect` refuses a damaged bundle. Every
 * case runs the real CLI in a temp folder and compares a snapshot of that
 * folder (names, kinds, contents) before and after.
 *
 * Interrupts are made deterministic by hold_writes.mjs, preloaded into the
 * tfc process: it pauses tfc's first write of a temporary file until the test
 * has sent its signal.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/io/npy.js';
import { f32 } from '../../compiler/ir/tensor.js';
import { kerasCaseDir } from '../helpers/conformance.js';
import { repoRoot } from './tfc.js';

const BIN = path.join(repoRoot, 'packages/compiler/bin/tfc.js');
const HOLD_WRITES = path.join(repoRoot, 'test/cli/hold_writes.mjs');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Sends this signal while tfc writes its first temporary file (hold_writes.mjs holds it there). */
  interrupt?: NodeJS.Signals;
  /** Sends it a second time and never lets the held write go on, as for a write stuck on a dead drive. */
  stuck?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `tfc` with hold_writes.mjs preloaded (inert unless `interrupt` or TFC_TEST_FAIL is set). */
function tfcRun(args: string[], options: RunOptions = {}): Promise<Exit> {
  const go = path.join(tmp, `go-${process.hrtime.bigint()}`);
  const env = { ...process.env, ...options.env, ...(options.interrupt ? { TFC_TEST_HOLD: go } : {}) };
  const child = spawn(process.execPath, ['--import', HOLD_WRITES, BIN, ...args], { cwd: options.cwd ?? tmp, env });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', async (d: Buffer) => {
    stderr += d.toString();
    if (options.interrupt && stderr.includes('tfc-test: holding') && !sent) {
      sent = true;
      child.kill(options.interrupt);
      await sleep(200); // the signal reaches tfc's handler before the held write goes on
      if (options.stuck) child.kill(options.interrupt);
      else writeFileSync(go, '');
    }
  });
  // A tfc that hangs (a regression) is killed rather than left running after the test.
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** stderr without hold_writes.mjs's own lines: must be exactly one `tfc: error:` line. */
function errorLine(r: Exit): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('tfc-test:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tfc: error: /);
  return lines[0];
}

/** Every entry under `dir`: its kind and, for regular files, a hash of the contents; links by their target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const p = path.join(rel, name);
      const s = lstatSync(path.join(dir, p));
      if (s.isSymbolicLink()) out[p] = `link -> ${readlinkSync(path.join(dir, p))}`;
      else if (s.isDirectory()) {
        out[p] = 'dir';
        walk(p);
      } else if (s.isFile()) out[p] = createHash('sha256').update(readFileSync(path.join(dir, p))).digest('hex');
      else out[p] = 'not a regular file'; // a FIFO: reading it would block
    }
  };
  walk('');
  return out;
}

let tmp: string;
/** A copy of the dense_mlp case in tmp/model: model.json, weights.bin and input_0.npy (x: f32[1,16]). */
let model: string;
let input: string;
/** A bundle of it, built once; tests copy it. */
let bundle: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-output-safety-'));
  const modelDir = path.join(tmp, 'model');
  mkdirSync(modelDir);
  for (const f of ['model.json', 'weights.bin', 'input_0.npy']) cpSync(path.join(kerasCaseDir('dense_mlp'), f), path.join(modelDir, f));
  model = path.join(modelDir, 'model.json');
  input = path.join(modelDir, 'input_0.npy');
  // Into folders that do not exist yet: the build creates them.
  bundle = path.join(tmp, 'fresh/deeper/built');
  const r = await tfcRun(['build', model, '--out', bundle]);
  expect(r.code, r.stderr).toBe(0);
  expect(readdirSync(path.dirname(bundle))).toEqual(['built']);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A fresh folder under tmp for one test, holding a copy of the bundle at `bundle/` when asked. */
let cases = 0;
function caseDir(withBundle = false): string {
  const dir = path.join(tmp, `case-${cases++}`);
  mkdirSync(dir);
  if (withBundle) cpSync(bundle, path.join(dir, 'bundle'), { recursive: true });
  return dir;
}

/** Runs `args` in `dir`; expects exit `code`, one error line matching `message`, and `dir` unchanged. */
async function expectRefused(dir: string, args: string[], message: RegExp, options: RunOptions = {}, code = 1): Promise<void> {
  const before = snapshot(dir);
  const r = await tfcRun(args, { cwd: dir, ...options });
  expect(r.code, r.stderr).toBe(code);
  expect(errorLine(r)).toMatch(message);
  expect(snapshot(dir)).toEqual(before);
}

describe('tfc build --out replaces only a tfc bundle', () => {
  it('refuses a web root that holds a manifest.json (a PWA), deleting nothing', async () => {
    const dir = caseDir();
    const site = path.join(dir, 'site');
    mkdirSync(path.join(site, 'icons'), { recursive: true });
    writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(path.join(site, 'manifest.json'), JSON.stringify({ name: 'My App', start_url: '.', display: 'standalone' }));
    writeFileSync(path.join(site, 'icons/icon-192.png'), 'png');
    await expectRefused(dir, ['build', model, '--out', 'site'], /--out site: .*not a tfc bundle manifest/);
  });

  it.each([
    ['an extra file', (b: string) => writeFileSync(path.join(b, 'notes.txt'), 'keep me'), /holds 'notes\.txt', which is not part of a tfc bundle/],
    ['a subfolder', (b: string) => mkdirSync(path.join(b, 'assets')), /holds the folder 'assets', which is not part of a tfc bundle/],
    ['a listed file that is a symbolic link', (b: string) => {
      rmSync(path.join(b, 'index.js'));
      symlinkSync('/etc/hostname', path.join(b, 'index.js'));
    }, /holds the symbolic link 'index\.js', which is not part of a tfc bundle/],
    ['a folder with no manifest.json', (b: string) => rmSync(path.join(b, 'manifest.json')), /holds '[^']+' and no manifest\.json/],
  ])('refuses a bundle folder with %s', async (_what, edit, message) => {
    const dir = caseDir(true);
    edit(path.join(dir, 'bundle'));
    await expectRefused(dir, ['build', model, '--out', 'bundle'], message);
  });

  it('refuses a file and a symbolic link at --out, leaving the link\'s target alone', async () => {
    const dir = caseDir(true);
    writeFileSync(path.join(dir, 'file'), 'data');
    symlinkSync('bundle', path.join(dir, 'link'));
    await expectRefused(dir, ['build', model, '--out', 'file'], /--out file: it is a file, not a folder/);
    await expectRefused(dir, ['build', model, '--out', 'link'], /--out link: it is a symbolic link/);
    await expectRefused(dir, ['build', model, '--out', 'file/sub'], /--out file\/sub: '.*file' is not a folder/);
  });

  // The filesystem root is left to test/bundle/replaceable.test.ts: a regressed tfc must never be pointed at it.
  it('refuses the model\'s folder, the current directory, a folder containing it and the home directory', async () => {
    const dir = caseDir(true);
    const home = caseDir(true);
    cpSync(path.join(tmp, 'model'), path.join(dir, 'model'), { recursive: true });
    const local = path.join(dir, 'model/model.json');
    await expectRefused(dir, ['build', local, '--out', 'model'], /--out model: it is the folder of the model/);
    await expectRefused(dir, ['build', local, '--out', '.'], /--out \.: it is the current directory/);
    // Even a bundle: replacing the current directory would leave the shell in a deleted folder.
    await expectRefused(path.join(dir, 'bundle'), ['build', local, '--out', '.'], /--out \.: it is the current directory/);
    await expectRefused(path.join(dir, 'bundle'), ['build', local, '--out', '..'], /--out \.\.: it contains the current directory/);
    await expectRefused(dir, ['build', local, '--out', home], /it is the home directory/, { env: { HOME: home } });
  });

  it('replaces an earlier bundle, leaving no temporary folder', async () => {
    const dir = caseDir(true);
    writeFileSync(path.join(dir, 'bundle/weights.bin'), 'damaged');
    const r = await tfcRun(['build', model, '--out', 'bundle'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(path.join(dir, 'bundle'))).toEqual(snapshot(bundle));
    expect(readdirSync(dir)).toEqual(['bundle']);
  });
});

describe('an error or a signal while writing leaves nothing behind', () => {
  it('SIGINT while build replaces a bundle: exit 130, the earlier bundle intact', async () => {
    const dir = caseDir(true);
    await expectRefused(dir, ['build', model, '--out', 'bundle'], /interrupted by SIGINT while writing --out bundle; nothing was written/, { interrupt: 'SIGINT' }, 130);
  });

  it('SIGTERM while build writes into new folders: exit 143, the folders removed again', async () => {
    const dir = caseDir();
    await expectRefused(dir, ['build', model, '--out', 'new/deeper/bundle'], /interrupted by SIGTERM while writing --out new\/deeper\/bundle/, { interrupt: 'SIGTERM' }, 143);
  });

  it('a failed write removes the temporary folder and the folders it created', async () => {
    const dir = caseDir();
    await expectRefused(dir, ['build', model, '--out', 'new/deeper/bundle'], /cannot write the bundle to new\/deeper\/bundle: EIO/, { env: { TFC_TEST_FAIL: 'weights.bin' } });
  });

  it.each([
    ['run', 'SIGINT', 130],
    ['predict', 'SIGTERM', 143],
  ] as const)('%s: %s while the output is written: the old output intact, no temporary file', async (command, signal, code) => {
    const dir = caseDir(true);
    writeFileSync(path.join(dir, 'y.npy'), writeNpy(f32([1], [7])));
    const source = command === 'run' ? model : 'bundle';
    await expectRefused(dir, [command, source, '-i', input, '-o', 'y.npy'], new RegExp(`interrupted by ${signal} while writing the outputs`), { interrupt: signal }, code);
  });

  it('a second SIGINT while a write is stuck ends tfc at once, leaving nothing', async () => {
    const dir = caseDir(true);
    const before = snapshot(dir);
    const r = await tfcRun(['predict', 'bundle', '-i', input, '-o', 'y.npy'], { cwd: dir, interrupt: 'SIGINT', stuck: true });
    expect(r.code, r.stderr).toBe(130);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a failed output write leaves no output and no temporary file', async () => {
    const dir = caseDir(true);
    await expectRefused(dir, ['predict', 'bundle', '-i', input, '-o', 'y.npy'], /cannot write outputs: EIO/, { env: { TFC_TEST_FAIL: 'y.npy' } });
  });
});

describe('--output paths are checked before anything runs', () => {
  /** Each case: the --output arguments, what the folder holds first, and the message. */
  const cases: [string, string[], (dir: string) => void, RegExp][] = [
    ['a folder', ['out'], (d) => mkdirSync(path.join(d, 'out')), /--output 'out' is a folder/],
    ['the same file twice', ['y.npy', 'y.npy'], () => undefined, /--output 'y\.npy' and --output 'y\.npy' are the same file/],
    ['the same file spelled two ways', ['y.npy', './y.npy'], () => undefined, /--output 'y\.npy' and --output '\.\/y\.npy' are the same file/],
    ['an input', ['x.npy'], () => undefined, /--output 'x\.npy' is --input 'x\.npy'; refusing to overwrite it/],
    ['an input through a hard link', ['y.npy'], (d) => linkSync(path.join(d, 'x.npy'), path.join(d, 'y.npy')), /--output 'y\.npy' is --input 'x\.npy'/],
    ['a missing folder', ['nope/y.npy'], () => undefined, /the folder 'nope' of --output 'nope\/y\.npy' does not exist/],
    ['a file that is not .npy', ['notes.txt'], (d) => writeFileSync(path.join(d, 'notes.txt'), 'keep me'), /--output 'notes\.txt' exists and is not a \.npy file/],
    // Never a real device such as /dev/null: a regressed tfc would replace it for the whole machine.
    ['a FIFO', ['pipe'], (d) => execFileSync('mkfifo', [path.join(d, 'pipe')]), /--output 'pipe' is a FIFO \(named pipe\)/],
  ];

  it.each(cases.flatMap(([what, outputs, setup, message]) => (['run', 'predict'] as const).map((cmd) => [cmd, what, outputs, setup, message] as const)))(
    '%s refuses %s',
    async (command, _what, outputs, setup, message) => {
      const dir = caseDir(command === 'predict');
      cpSync(input, path.join(dir, 'x.npy'));
      setup(dir);
      const source = command === 'run' ? model : 'bundle';
      await expectRefused(dir, [command, source, '-i', 'x.npy', ...outputs.flatMap((o) => ['-o', o])], message);
    },
  );

  it('replaces an existing .npy output and an empty file', async () => {
    const dir = caseDir(true);
    writeFileSync(path.join(dir, 'y.npy'), writeNpy(f32([1], [7])));
    writeFileSync(path.join(dir, 'empty'), '');
    for (const out of ['y.npy', 'empty']) {
      const r = await tfcRun(['predict', 'bundle', '-i', input, '-o', out], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(path.join(dir, out)).length).toBeGreaterThan(128 + 4);
    }
    expect(readdirSync(dir).sort()).toEqual(['bundle', 'empty', 'y.npy']);
  });
});

describe('--input files are read only when they are regular files', () => {
  // A FIFO rather than /dev/zero: a regressed tfc would only block on it (and be killed), not fill memory.
  it.each([
    ['a FIFO', (d: string) => {
      execFileSync('mkfifo', [path.join(d, 'pipe.npy')]);
      return 'pipe.npy';
    }, /cannot read input file 'pipe\.npy': it is a FIFO \(named pipe\), not a regular file/],
  ])('%s is refused at once, not read', async (_what, make, message) => {
    const dir = caseDir(true);
    const file = make(dir);
    await expectRefused(dir, ['predict', 'bundle', '-i', file, '-o', 'y.npy'], message);
    await expectRefused(dir, ['run', model, '-i', file, '-o', 'y.npy'], message);
  });
});

describe('batch 0', () => {
  it.each(['run', 'predict'] as const)('%s refuses an input with batch size 0, naming it', async (command) => {
    const dir = caseDir(true);
    writeFileSync(path.join(dir, 'x0.npy'), writeNpy({ dtype: 'f32', shape: [0, 16], data: new Float32Array(0) }));
    const source = command === 'run' ? model : 'bundle';
    await expectRefused(
      dir,
      [command, source, '-i', 'x0.npy', '-o', 'y.npy'],
      /^tfc: error: input 0 'dense_input' \(x0\.npy\) has batch size 0 \(shape \[0,16\]\); the batch size must be at least 1$/,
    );
  });
});

describe('tfc inspect on a damaged bundle', () => {
  it.each([
    ['a corrupt weights.bin', (b: string) => writeFileSync(path.join(b, 'weights.bin'), Buffer.alloc(lstatSync(path.join(b, 'weights.bin')).size)), /'weights\.bin' is corrupt/],
    ['a truncated model.wasm', (b: string) => truncateSync(path.join(b, 'model.wasm'), 100), /'model\.wasm' is truncated: 100 bytes/],
    ['a missing index.js', (b: string) => rmSync(path.join(b, 'index.js')), /cannot read 'index\.js' \(missing file\)/],
  ])('fails on %s in one line', async (_what, damage, message) => {
    const dir = caseDir(true);
    damage(path.join(dir, 'bundle'));
    await expectRefused(dir, ['inspect', 'bundle'], message);
    await expectRefused(dir, ['inspect', 'bundle', '--json'], message);
  });

  it('succeeds on an intact bundle', async () => {
    const r = await tfcRun(['inspect', bundle, '--json']);
    expect(r.code, r.stderr).toBe(0);
  });
});
