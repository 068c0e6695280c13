// Builds every package from the sources at the repository root:
//   packages/compiler/dist  tsc over compiler/, driver/, runtime/, targets/ (tsconfig.json)
//   packages/runtime/dist   runtime/ as one ES module and one CommonJS file (esbuild), and its .d.ts (tsc)
//   packages/vite-plugin/dist  plugins/vite/ (tsc; it imports tfc-compiler by its package name)
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const runTsc = (project) => execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });

rmSync(`${root}packages/runtime/dist`, { recursive: true, force: true });
runTsc('tsconfig.json');
for (const format of ['esm', 'cjs']) {
  await build({
    entryPoints: [`${root}runtime/index.ts`],
    bundle: true,
    format,
    platform: 'neutral',
    target: 'es2022',
    external: ['node:*'],
    outfile: `${root}packages/runtime/dist/index.${format === 'esm' ? 'mjs' : 'cjs'}`,
    logLevel: 'warning',
  });
}
runTsc('runtime/tsconfig.json');
if (existsSync(`${root}plugins/vite/tsconfig.json`)) runTsc('plugins/vite/tsconfig.json');
