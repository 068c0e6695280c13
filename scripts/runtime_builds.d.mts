import type { BuildOptions } from 'esbuild';

export type RuntimeFile = 'index.mjs' | 'index.cjs' | 'index.browser.mjs';
/** The runtime's files in packages/runtime/dist: index.mjs and index.cjs run in Node and browsers, index.browser.mjs in browsers. */
export const RUNTIME_FILES: readonly RuntimeFile[];
/** esbuild's options for one of RUNTIME_FILES (no outfile, no minify); the browser build names no node: module. */
export function runtimeBuildOptions(file: RuntimeFile): BuildOptions;
