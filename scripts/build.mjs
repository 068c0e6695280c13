// Builds every package from the sources at the repository root:
//   packages/compiler/dist  tsc over compiler/, driver/, runtime/, targets/ (tsconfig.json)
//   packages/runtime/dist   runtime/ as one ES module and one CommonJS file for Node and browsers, and one ES module
//                           for browsers with no node: imports (esbuild, scripts/runtime_builds.mjs), and one .d.ts
//                           that needs no other package's types (dts-bundle-generator over runtime/tsconfig.json)
//   packages/vite-plugin/dist  plugins/vite/ (tsc; it imports tfc-compiler by its package name)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { generateDtsBundle } from 'dts-bundle-generator';
import { build } from 'esbuild';
import { RUNTIME_FILES, runtimeBuildOptions } from './runtime_builds.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const runTsc = (project) => execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });

// The runtime first: built in memory, then its dist is replaced at once, so it is never missing while tsc runs.
// Its .d.ts has no `/// <reference types>` to @webgpu/types or node: the runtime's public types declare what they need.
const runtimeDist = `${root}packages/runtime/dist`;
const [runtimeTypes] = generateDtsBundle(
  [{ filePath: `${root}runtime/index.ts`, libraries: { allowedTypesLibraries: [] }, output: { noBanner: true, exportReferencedTypes: false } }],
  { preferredConfigPath: `${root}runtime/tsconfig.json` },
);
const runtimeModules = await Promise.all(
  RUNTIME_FILES.map((file) => build({ ...runtimeBuildOptions(file), outfile: `${runtimeDist}/${file}`, write: false })),
);
rmSync(runtimeDist, { recursive: true, force: true });
mkdirSync(runtimeDist, { recursive: true });
for (const { outputFiles } of runtimeModules) for (const file of outputFiles) writeFileSync(file.path, file.contents);
writeFileSync(`${runtimeDist}/index.d.ts`, runtimeTypes);
/**
 * tsc never deletes: an output whose source file is gone (moved or deleted) would stay in dist and be published.
 * Outputs are removed file by file, not by clearing dist, so dist is never missing while others use it.
 */
function removeStaleOutputs(dist, sourceRoot) {
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const output = `${entry.parentPath}/${entry.name}`;
    const source = `${sourceRoot}${output.slice(dist.length).replace(/(\.d\.ts|\.js)(\.map)?$/, '.ts')}`;
    if (!existsSync(source)) rmSync(output);
  }
}

runTsc('tsconfig.json');
removeStaleOutputs(`${root}packages/compiler/dist`, root);
runTsc('plugins/vite/tsconfig.json');
removeStaleOutputs(`${root}packages/vite-plugin/dist`, `${root}plugins/vite`);
