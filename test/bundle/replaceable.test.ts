/**
 * checkReplaceable (driver/bundle/replaceable.ts) on the folders a user may
 * point `--out` at: only a missing or empty folder or a provable tfc bundle
 * passes; the CLI cases (and what each leaves on disk) are in
 * test/cli/output_safety.test.ts.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReplaceable } from '../../driver/bundle/write.js';
import { writeScaleBundle } from '../runtime/bundle_dir.js';

let tmp: string;
let dir: string;
beforeAll(async () => {
  ({ tmp, dir } = await writeScaleBundle('tfc-replaceable-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** A copy of the scale bundle, changed by `edit`. */
function edited(edit: (d: string) => void): string {
  const copy = path.join(tmp, `copy-${n++}`);
  cpSync(dir, copy, { recursive: true });
  edit(copy);
  return copy;
}

const editManifest = (d: string, change: (m: Record<string, unknown>) => void): void => {
  const file = path.join(d, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(m);
  writeFileSync(file, JSON.stringify(m));
};

describe('checkReplaceable', () => {
  it('accepts a missing folder, an empty one and a tfc bundle, even one with a listed file missing', () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    for (const out of [path.join(tmp, 'missing/deeper'), empty, dir, edited((d) => rmSync(path.join(d, 'weights.bin')))]) {
      expect(() => checkReplaceable(out)).not.toThrow();
    }
  });

  it('accepts a tfc bundle whose manifest.json starts with a UTF-8 byte order mark, as the runtime does', () => {
    const out = edited((d) => {
      const file = path.join(d, 'manifest.json');
      writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    });
    expect(readFileSync(path.join(out, 'manifest.json'))[0]).toBe(0xef);
    expect(() => checkReplaceable(out)).not.toThrow();
  });

  it.each([
    ['a manifest of another format', (d: string) => editManifest(d, (m) => (m.format = 'web-app')), /not a tfc bundle manifest/],
    ['a manifest of an unknown version', (d: string) => editManifest(d, (m) => (m.formatVersion = 99)), /unknown bundle format version 99/],
    ['a manifest that is not JSON', (d: string) => writeFileSync(path.join(d, 'manifest.json'), '<html>'), /manifest\.json is not valid JSON/],
    ['a manifest that is a folder', (d: string) => {
      rmSync(path.join(d, 'manifest.json'));
      mkdirSync(path.join(d, 'manifest.json'));
    }, /holds the folder 'manifest\.json', not a tfc bundle manifest/],
    ['a file the manifest does not list', (d: string) => writeFileSync(path.join(d, 'favicon.ico'), ''), /holds 'favicon\.ico', which is not part of a tfc bundle/],
  ])('refuses a bundle folder with %s, naming the folder', (_what, edit, message) => {
    const out = edited(edit);
    expect(() => checkReplaceable(out)).toThrow(message);
    expect(() => checkReplaceable(out)).toThrow(`--out ${out}: `);
  });

  it('refuses the filesystem root, the home directory and the current directory', () => {
    expect(() => checkReplaceable('/')).toThrow('--out /: it is the filesystem root');
    expect(() => checkReplaceable(os.homedir())).toThrow(/it is the home directory|it contains the current directory/);
    expect(() => checkReplaceable('.')).toThrow('--out .: it is the current directory');
  });

  it('refuses a place the caller protects, and any folder that contains it', () => {
    const keep = [{ path: path.join(dir, 'index.js'), label: 'the model file' }];
    expect(() => checkReplaceable(dir, keep)).toThrow(/it contains the model file/);
  });
});
