/**
 * The malformed-input corpus through the `tfc` command (see case.ts for what
 * each case asserts). Cases run two at a time in separate processes; one
 * small bundle, built once, is copied into the bundle cases.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool, tfc } from '../cli/tfc.js';
import { freshDir, runCliCase, type Fixtures } from './case.js';
import { CLI_CASES } from './cases/index.js';
import { writeTinyTfjs } from './tiny_model.js';

const fixtureDir = freshDir('tfc-corpus-fixture-');
const results = new Map<string, string[]>();

beforeAll(async () => {
  const names = new Set<string>();
  for (const c of CLI_CASES) {
    if (names.has(c.name)) throw new Error(`two corpus cases are named '${c.name}'`);
    names.add(c.name);
  }
  const model = writeTinyTfjs(fixtureDir);
  const fx: Fixtures = { bundle: path.join(fixtureDir, 'bundle') };
  const built = await tfc(['build', model, '--out', fx.bundle]);
  if (built.code !== 0) throw new Error(`building the fixture bundle failed: ${built.stderr}`);
  const problems = await pool(
    CLI_CASES.map((c) => () => runCliCase(c, fx)),
    2,
  );
  CLI_CASES.forEach((c, i) => results.set(c.name, problems[i]));
}, 600_000);

afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));

describe('malformed-input corpus: tfc exits 1 with one error line and leaves nothing on disk', () => {
  it('has at least 50 cases', () => {
    expect(CLI_CASES.length).toBeGreaterThanOrEqual(50);
  });
  it.each(CLI_CASES.map((c) => [c.name]))('%s', (name) => {
    expect(results.get(name)).toEqual([]);
  });
});
