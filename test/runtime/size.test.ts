/**
 * The runtime stays small and self-contained: bundled and minified (esbuild,
 * as scripts/build.mjs builds it) each ES module is at most 21 KB (the WASM
 * and WebGPU backends, the manifest checks of both with their limits, the
 * layout digest, the batch-size limit checks and loading a bundle from a map
 * of its files' URLs, which took it from 20.5 KB to 20.9 KB; Node's file
 * access in its own module, for the browser build, to 20.98 KB; the browser
 * build is 20.3 KB). It imports nothing but node: built-ins (loaded
 * dynamically, only in Node, all in node_files.ts) — never the compiler — and
 * its browser build names no node: module at all.
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeBuildOptions, type RuntimeFile } from '../../scripts/runtime_builds.mjs';
import { repoRoot } from '../helpers/conformance.js';

const runtimeDir = path.join(repoRoot, 'runtime');

const minified = async (file: RuntimeFile): Promise<string> => {
  const result = await build({ ...runtimeBuildOptions(file), minify: true, write: false });
  return result.outputFiles![0].text;
};

describe('runtime footprint', () => {
  it.each<RuntimeFile>(['index.mjs', 'index.browser.mjs'])('%s is at most 21 KB minified', async (file) => {
    expect((await minified(file)).length).toBeLessThanOrEqual(21 * 1024);
  });

  it('the browser build names no node: module', async () => {
    expect(await minified('index.mjs')).toMatch(/\bimport\("node:fs\/promises"\)/);
    expect(await minified('index.browser.mjs')).not.toMatch(/node:/);
  });

  it('imports only its own files statically and node: built-ins dynamically, in node_files.ts only', () => {
    for (const file of readdirSync(runtimeDir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(runtimeDir, file), 'utf8');
      for (const [, spec] of source.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)) expect(spec, file).toMatch(/^\.\/[a-z_]+\.js$/);
      const dynamic = [...source.matchAll(/import\('([^']+)'\)/g)].map(([, spec]) => spec);
      expect(dynamic, file).toEqual(file === 'node_files.ts' ? ['node:url', 'node:fs/promises', 'node:fs', 'node:path'] : []);
    }
  });
});
