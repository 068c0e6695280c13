/**
 * The malformed-input corpus: each case is data, a name, a `setup` that
 * writes hostile files into a fresh temp folder, the command line run there
 * and a regex the one error line must match. `runCliCase` runs one and
 * returns what went wrong with it (nothing, for a pass): the exit code must
 * be 1, stderr exactly one `tfc: error:` line (no internal error) matching
 * the regex, stdout empty, and the folder exactly as it was before the run
 * (same entries, same bytes) — no output, temp file or half-written bundle.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../cli/tfc.js';

/** Shared, read-only inputs built once for the whole corpus. */
export interface Fixtures {
  /** A bundle folder of the tiny model (wasm target), to copy and damage. */
  bundle: string;
}

export interface CliCase {
  name: string;
  /** Writes the case's files into `dir`, the folder the command runs in. */
  setup: (dir: string, fx: Fixtures) => void | Promise<void>;
  /** Arguments after `tfc`; paths are relative to `dir`. */
  argv: string[];
  /** What the message must say (the problem and where it is). */
  expect: RegExp;
}

/** A hang is a failure: no case may take this long. */
export const CASE_TIMEOUT_MS = 30_000;

const bin = path.join(repoRoot, 'packages/compiler/bin/tfc.js');

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runTfc(argv: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...argv], { cwd, timeout: CASE_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, signal: error?.signal ?? null, stdout, stderr });
    });
  });
}

/** Every entry under `dir` with its kind and, for files, size and hash; symlinks and FIFOs are not followed. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const relPath = path.join(rel, name);
      const full = path.join(dir, relPath);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.push(`${relPath} -> ${readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.push(`${relPath}/`);
        walk(relPath);
      } else if (st.isFile()) out.push(`${relPath} ${st.size} ${createHash('sha1').update(readFileSync(full)).digest('hex')}`);
      else out.push(`${relPath} (special)`);
    }
  };
  walk('');
  return out;
}

export function freshDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Copies the fixture bundle to `dir/bundle`; returns that path. */
export function copyBundle(fx: Fixtures, dir: string): string {
  const to = path.join(dir, 'bundle');
  cpSync(fx.bundle, to, { recursive: true });
  return to;
}

/** Sets up and runs one case in a fresh folder; returns its problems (empty: it passed). */
export async function runCliCase(c: CliCase, fx: Fixtures): Promise<string[]> {
  const dir = freshDir('tfc-corpus-');
  try {
    return await runIn(dir, c, fx);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runIn(dir: string, c: CliCase, fx: Fixtures): Promise<string[]> {
  await c.setup(dir, fx);
  const before = snapshot(dir);
  const started = Date.now();
  const run = await runTfc(c.argv, dir);
  const problems: string[] = [];
  if (run.signal) problems.push(`killed by ${run.signal} after ${Date.now() - started} ms (a hang or a crash)`);
  else if (run.code !== 1) problems.push(`exit code ${run.code}, expected 1`);
  const lines = run.stderr.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) problems.push(`stderr has ${lines.length} lines, expected 1:\n${run.stderr.slice(0, 2000)}`);
  const line = lines[0] ?? '';
  if (!line.startsWith('tfc: error: ')) problems.push(`stderr does not start with 'tfc: error: ': ${line}`);
  if (line.startsWith('tfc: error: internal error')) problems.push(`an internal error, not a user error: ${line}`);
  if (!c.expect.test(line)) problems.push(`message does not match ${String(c.expect)}: ${line}`);
  if (run.stdout !== '') problems.push(`stdout is not empty: ${run.stdout.slice(0, 500)}`);
  const after = snapshot(dir);
  const added = after.filter((e) => !before.includes(e));
  const removed = before.filter((e) => !after.includes(e));
  if (added.length > 0 || removed.length > 0) problems.push(`the folder changed: added ${JSON.stringify(added)}, removed ${JSON.stringify(removed)}`);
  return problems;
}
