/**
 * Vite's dev server in a process of its own, as `npx vite` runs it (vitest
 * replaces Error.prepareStackTrace in its workers, which would hide the
 * source positions tsx maps for a DSL model's errors):
 *
 *   node test/vite/dev_server.mjs <app root> <cache dir> <allowed dir>...
 *
 * serves the app with its vite.config.ts on a free port of 127.0.0.1, prints
 * `listening <url>` once it listens, then Vite's log, until it is killed.
 */
import path from 'node:path';
import { createServer } from 'vite';

const [root, cacheDir, ...allow] = process.argv.slice(2);
const server = await createServer({
  root,
  configFile: path.join(root, 'vite.config.ts'),
  cacheDir,
  server: { host: '127.0.0.1', port: 0, fs: { allow } },
});
await server.listen();
console.log(`listening ${server.resolvedUrls.local[0]}`);
