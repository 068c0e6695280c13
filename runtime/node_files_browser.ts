/** node_files.ts in tfc-runtime's browser build (swapped in by scripts/runtime_builds.mjs): no Node, so no node: module. */
import type { NodeFiles } from './node_files.js';

export const nodeFiles: NodeFiles | undefined = undefined;
