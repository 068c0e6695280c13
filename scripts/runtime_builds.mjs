// How tfc-runtime's files are built by esbuild from runtime/index.ts: used by scripts/build.mjs and by the runtime's
// size test, so both build the same thing.
import { fileURLToPath } from 'node:url';

const runtimeDir = fileURLToPath(new URL('../runtime/', import.meta.url));

/** In the browser build, runtime/node_files.ts (Node's file access, through node: modules) is node_files_browser.ts. */
const withoutNode = {
  name: 'tfc-runtime-without-node',
  setup(build) {
    build.onResolve({ filter: /^\.\/node_files\.js$/ }, () => ({ path: `${runtimeDir}node_files_browser.ts` }));
  },
};

/** The runtime's files in packages/runtime/dist: index.mjs and index.cjs run in Node and browsers, index.browser.mjs in browsers. */
export const RUNTIME_FILES = ['index.mjs', 'index.cjs', 'index.browser.mjs'];

/**
 * esbuild's options for one of RUNTIME_FILES (no outfile, no minify). The browser build leaves no node: module external,
 * so one that creeps back in fails the build.
 */
export function runtimeBuildOptions(file) {
  const browser = file === 'index.browser.mjs';
  return {
    entryPoints: [`${runtimeDir}index.ts`],
    bundle: true,
    format: file.endsWith('.cjs') ? 'cjs' : 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: browser ? [] : ['node:*'],
    plugins: browser ? [withoutNode] : [],
    logLevel: 'warning',
  };
}
