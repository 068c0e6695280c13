/**
 * The runtime stays small and self-contained: bundled and minified (esbuild)
 * it is at most 21 KB (the WASM and WebGPU backends, the manifest checks of
 * both with their limits, the layout digest, the batch-size limit checks and
 * loading a bundle from a map of its files' URLs, which took it from 20.5 KB
 * to 20.9 KB), and it imports nothing but node: built-ins (loaded
 * dynamically, only in Node) — never the compiler.
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/conformance.js';

const runtimeDir = path.join(repoRoot, 'runtime');

describe('runtime footprint', () => {
  it('is at most 21 KB minified', async () => {
    const result = await build({
      entryPoints: [path.join(runtimeDir, 'index.ts')],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      external: ['node:*'],
      write: false,
    });
    expect(result.outputFiles[0].contents.length).toBeLessThanOrEqual(21 * 1024);
  });

  it('imports only its own files statically and node: built-ins dynamically', () => {
    for (const file of readdirSync(runtimeDir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(runtimeDir, file), 'utf8');
      for (const [, spec] of source.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gm)) expect(spec, file).toMatch(/^\.\/[a-z_]+\.js$/);
      for (const [, spec] of source.matchAll(/import\('([^']+)'\)/g)) expect(spec, file).toMatch(/^node:/);
    }
  });
});
