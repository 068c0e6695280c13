/**
 * Plain Rollup with vite-plugin-tfc, in a process of its own as a Rollup
 * config runs (in a vitest worker the linked packages would be transformed
 * by vitest, which takes far longer than the build):
 *
 *   node test/vite/rollup_build.mjs <model file> <out dir> <cache dir>
 *
 * bundles an entry that re-exports `<model file>?tfc` (compiled for wasm)
 * into <out dir>/index.js, tfc-runtime left external, and prints the
 * plugin's log lines.
 */
import { rollup } from 'rollup';
import tfc from 'vite-plugin-tfc';

const [model, out, cacheDir] = process.argv.slice(2);
const ENTRY = 'entry.js';
const entry = {
  name: 'entry',
  resolveId: (id) => (id === ENTRY ? id : null),
  load: (id) => (id === ENTRY ? `export { default } from ${JSON.stringify(`${model}?tfc`)};` : null),
};
const build = await rollup({
  input: ENTRY,
  plugins: [entry, tfc({ targets: ['wasm'], cacheDir })],
  external: ['tfc-runtime'],
  onLog: (_level, log) => console.log(log.message),
});
await build.write({ dir: out, format: 'es', entryFileNames: 'index.js' });
await build.close();
