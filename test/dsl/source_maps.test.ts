/**
 * A DSL error points at the user's layer call whether or not source maps are
 * on. With `node --enable-source-maps` (as under vitest or in a Vite dev
 * server run from source) the stack names tfc's own frames by the source
 * files the built code's maps point at; those must be skipped like the built
 * files, or the error pointed at compiler/frontend/dsl/source.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/tfc.js';

const BAD_LAYER = '  layers.reshape({ targetShape: [3] }),';
const MODEL = ["import { layers, sequential } from 'tfc-compiler/dsl';", 'export default sequential([', '  layers.dense({ units: 4, inputShape: [3] }),', BAD_LAYER, ']);', ''].join('\n');
const COMPILE = [
  "import { compile } from 'tfc-compiler';",
  'try {',
  "  await compile(process.argv[2], { targets: ['wasm'] });",
  "  console.log('compiled');",
  '} catch (e) {',
  '  console.log(JSON.stringify({ file: e.file, line: e.line, column: e.column }));',
  '}',
  '',
].join('\n');

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tfc-source-maps-'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  writeFileSync(path.join(tmp, 'bad.model.mts'), MODEL);
  writeFileSync(path.join(tmp, 'compile.mjs'), COMPILE);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('DSL error locations', () => {
  it.each([[[]], [['--enable-source-maps']]])("name the user's layer call with node flags %j", async (flags) => {
    const { stdout } = await promisify(execFile)(process.execPath, [...flags, 'compile.mjs', 'bad.model.mts'], { cwd: tmp });
    // V8 places a method call at its property name: line 4, the column of `reshape`.
    expect(JSON.parse(stdout)).toEqual({ file: path.join(tmp, 'bad.model.mts'), line: 4, column: BAD_LAYER.indexOf('reshape') + 1 });
  });
});
