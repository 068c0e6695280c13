/** The malformed-input corpus through the runtime and compiler APIs: the typed error, its message, nothing on disk. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfc } from '../cli/tfc.js';
import { API_CASES } from './api_cases.js';
import { freshDir, snapshot, type Fixtures } from './case.js';
import { writeTinyTfjs } from './tiny_model.js';

const fixtureDir = freshDir('tfc-corpus-api-');
const fx: Fixtures = { bundle: path.join(fixtureDir, 'bundle') };

beforeAll(async () => {
  const built = await tfc(['build', writeTinyTfjs(fixtureDir), '--out', fx.bundle]);
  if (built.code !== 0) throw new Error(`building the fixture bundle failed: ${built.stderr}`);
}, 120_000);

afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));

describe('malformed-input corpus through the APIs: one typed error', () => {
  it.each(API_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = freshDir('tfc-corpus-api-case-');
    try {
      const call = c.setup(dir, fx);
      const before = snapshot(dir);
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(c.error);
      const message = (error as Error).message;
      expect(message).toMatch(c.expect);
      expect(message).not.toContain('\n');
      expect(snapshot(dir)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
