/**
 * In `vite dev` nothing is emitted: compiled bundles stay in memory and a
 * middleware serves their files at `<base>@tfc/<content hash>/<file>`. A URL
 * names content, so its bytes never change and browsers may cache it; an
 * edited model gets a new hash, hence new URLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { ModelBundle } from './model_bundle.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
};

export class DevFiles {
  /** Content hash → bundle, only the latest bundle of each model. */
  private readonly bundles = new Map<string, ModelBundle>();
  private readonly latest = new Map<string, string>();

  /** `base`: Vite's public base path, ending in '/'. */
  constructor(private readonly base: string) {}

  private get prefix(): string {
    return `${this.base}@tfc/`;
  }

  /** Serves `bundle` as the model's current one, in place of its previous one. */
  add(model: string, bundle: ModelBundle): void {
    const previous = this.latest.get(model);
    if (previous !== undefined && previous !== bundle.hash) this.bundles.delete(previous);
    this.latest.set(model, bundle.hash);
    this.bundles.set(bundle.hash, bundle);
  }

  /** The URL path of one of the bundle's files. */
  url(bundle: ModelBundle, file: string): string {
    return `${this.prefix}${bundle.hash}/${file}`;
  }

  /** Connect middleware: answers GET/HEAD requests under the prefix, passes every other request on. */
  readonly middleware = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const pathname = (req.url ?? '').split('?')[0];
    if (!pathname.startsWith(this.prefix) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const [hash, file, ...more] = pathname.slice(this.prefix.length).split('/');
    const bytes = more.length === 0 ? this.bundles.get(hash)?.files.get(file) : undefined;
    if (bytes === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`tfc: no compiled file at ${pathname}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': bytes.length,
      'cache-control': 'max-age=31536000, immutable',
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
}
