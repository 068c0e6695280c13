#!/usr/bin/env node
/**
 * A tiny static file server for the web example (and the browser test):
 * GET-only, bound to 127.0.0.1, serving a few URL prefixes from folders.
 *
 *   node examples/web/serve.mjs [port]
 *
 * serves this folder at /: the page and the bundle you built into ./model,
 * which carries its own copy of the runtime (runtime.js). Any static web
 * host serves the same files the same way.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The file a URL path names under `routes` (longest prefix first), or undefined if none or outside its folder. */
function resolveFile(routes, urlPath) {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const prefix = prefixes.find((p) => urlPath.startsWith(p));
  if (prefix === undefined) return undefined;
  const root = path.resolve(routes[prefix]);
  const rest = urlPath.slice(prefix.length);
  const file = path.join(root, rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest);
  // Decoded `..` segments must not climb out of the route's folder.
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts serving `routes` ({ '/url/prefix/': folder }) on 127.0.0.1; port 0
 * picks a free one. Resolves to the server and its base URL.
 */
export function startServer(routes, port = 0) {
  for (const prefix of Object.keys(routes)) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`route '${prefix}' must start and end with '/'`);
  }
  const server = createServer((req, res) => {
    const send = (status, text) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    const file = resolveFile(routes, urlPath);
    if (!file) return send(404, `not found: ${urlPath}\n`);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${address.port}/` });
    });
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const port = Number(process.argv[2] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: port '${process.argv[2]}' is not a port number (0-65535)`);
    process.exit(1);
  }
  try {
    statSync(path.join(here, 'model', 'manifest.json'));
  } catch {
    console.error(`serve: no bundle in ${path.join(here, 'model')}: build one with 'npx tfc build <model> --target wasm --out examples/web/model'`);
    process.exit(1);
  }
  const { url } = await startServer({ '/': here }, port);
  console.log(`serving the web example at ${url} (Ctrl-C to stop)`);
}
