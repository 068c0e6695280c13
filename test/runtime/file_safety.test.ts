/**
 * A bundle's manifest names the files the runtime reads (issue #9, defects 2,
 * 3 and 8b). Only plain names inside the bundle folder are read; a file that
 * resolves outside it (through a symlink), that is not a regular file (a
 * FIFO, /dev/zero) or that is larger than the manifest says is refused before
 * it is read, in Node and over HTTP. Every case is a real bundle edited in a
 * temp dir and must fail with one BundleError, quickly and in bounded memory.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, loadModel, type TensorLike } from '../../runtime/index.js';
import { writeScaleBundle } from './bundle_dir.js';

let tmp: string;
let dir: string;
let outside: string;
let n = 0;

beforeAll(async () => {
  ({ tmp, dir } = await writeScaleBundle('tfc-runtime-files-'));
  // A copy of the weights outside the bundle: it passes the size and SHA-256 checks if it is ever read.
  outside = path.join(tmp, 'outside.bin');
  cpSync(path.join(dir, 'weights.bin'), outside);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the bundle with `edit` applied; returns its folder. */
function edited(edit: (d: string) => void): string {
  const copy = path.join(tmp, `bundle-${n++}`);
  cpSync(dir, copy, { recursive: true });
  edit(copy);
  return copy;
}

type Manifest = { files: Record<string, unknown>; targets: { wasm: { weights: { file: string } } } };

/** Makes the manifest name the weights `name` (listed in `files` with the real weights' size and hash). */
function namingWeights(name: string): (d: string) => void {
  return (d) => {
    const file = path.join(d, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    m.files[name] = m.files['weights.bin'];
    m.targets.wasm.weights.file = name;
    writeFileSync(file, JSON.stringify(m));
  };
}

/** Loads `location`, which must fail with a one-line BundleError within `seconds`; returns its message. */
async function refusal(location: string, seconds = 5): Promise<string> {
  const started = Date.now();
  const error = await loadModel(location, { backend: 'wasm' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(seconds * 1000);
  expect(error).toBeInstanceOf(BundleError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

describe('a manifest names only plain files in the bundle folder', () => {
  const names = ['../outside.bin', '/etc/passwd', 'sub/../../outside.bin', '%2e%2e/outside.bin', '..%2foutside.bin', 'file:///etc/passwd', 'https://example.com/weights.bin', 'sub/weights.bin', '..'];
  it.each(names)('refuses %s', async (name) => {
    const bundle = edited(namingWeights(name));
    expect(await refusal(bundle)).toBe(`bundle ${bundle}: cannot read '${name}' (not a plain file name in the bundle folder)`);
  });

  it('refuses a symlink out of the folder', async () => {
    const bundle = edited((d) => {
      unlinkSync(path.join(d, 'weights.bin'));
      symlinkSync(outside, path.join(d, 'weights.bin'));
    });
    expect(await refusal(bundle)).toBe(`bundle ${bundle}: cannot read 'weights.bin' (it resolves to ${outside}, outside the bundle folder)`);
  });

  it('refuses a symlink to /dev/zero without reading it', async () => {
    const bundle = edited((d) => {
      unlinkSync(path.join(d, 'weights.bin'));
      symlinkSync('/dev/zero', path.join(d, 'weights.bin'));
    });
    expect(await refusal(bundle)).toMatch(/cannot read 'weights\.bin' \(it resolves to \/dev\/zero, outside the bundle folder\)$/);
  });
});

describe('files that are not regular or larger than the manifest says', () => {
  it('refuses a FIFO at once instead of blocking on it', async () => {
    const bundle = edited((d) => {
      unlinkSync(path.join(d, 'weights.bin'));
      execFileSync('mkfifo', [path.join(d, 'weights.bin')]);
    });
    expect(await refusal(bundle, 3)).toBe(`bundle ${bundle}: cannot read 'weights.bin' (not a regular file)`);
  });

  it('refuses a FIFO manifest.json at once', async () => {
    const bundle = edited((d) => {
      unlinkSync(path.join(d, 'manifest.json'));
      execFileSync('mkfifo', [path.join(d, 'manifest.json')]);
    });
    expect(await refusal(bundle, 3)).toBe(`bundle ${bundle}: cannot read 'manifest.json' (not a regular file)`);
  });

  it('refuses a 20 GiB weights file before reading it, in bounded memory', async () => {
    // Sparse: no disk is used, but fstat says 20 GiB.
    const bundle = edited((d) => truncateSync(path.join(d, 'weights.bin'), 20 * 1024 ** 3));
    const before = process.memoryUsage().rss;
    expect(await refusal(bundle)).toBe(`bundle ${bundle}: cannot read 'weights.bin' (${20 * 1024 ** 3} bytes, more than the 4 expected)`);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 ** 2);
  });

  it('refuses a manifest.json over MAX_MANIFEST_BYTES before reading it', async () => {
    const bundle = edited((d) => truncateSync(path.join(d, 'manifest.json'), 1024 ** 3));
    expect(await refusal(bundle)).toBe(`bundle ${bundle}: cannot read 'manifest.json' (${1024 ** 3} bytes, more than the ${16 * 1024 ** 2} expected)`);
  });
});

describe('a byte order mark before manifest.json', () => {
  it('is accepted', async () => {
    const bundle = edited((d) => {
      const file = path.join(d, 'manifest.json');
      writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    });
    const model = await loadModel(bundle, { backend: 'wasm' });
    const y = (await model.predict({ data: Float32Array.of(1, 2, 3, 4), shape: [1, 4] })) as TensorLike;
    expect(Array.from(y.data)).toEqual([2.5, 5, 7.5, 10]);
  });
});

describe('over HTTP', () => {
  let server: Server;
  let base: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = request.url ?? '/';
      requested.push(url);
      if (url.endsWith('/endless/weights.bin')) {
        // A body that never ends, sent without a length.
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = new Uint8Array(64 * 1024);
        const pump = (): void => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once('drain', pump);
        };
        pump();
        return;
      }
      try {
        response.end(readFileSync(path.join(tmp, decodeURIComponent(url.split('?')[0]))));
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('loads a bundle', async () => {
    const model = await loadModel(`${base}/bundle/`, { backend: 'wasm' });
    const y = (await model.predict({ data: Float32Array.of(1, 2, 3, 4), shape: [1, 4] })) as TensorLike;
    expect(Array.from(y.data)).toEqual([2.5, 5, 7.5, 10]);
  });

  it('never requests a file the manifest names outside the bundle URL', async () => {
    const bundle = edited(namingWeights('../outside.bin'));
    const url = `${base}/${path.basename(bundle)}/`;
    expect(await refusal(url)).toBe(`bundle ${url}: cannot read '../outside.bin' (not a plain file name in the bundle folder)`);
    expect(requested.filter((r) => r.includes('outside'))).toEqual([]);
  });

  it('stops reading a body longer than the manifest says', async () => {
    const bundle = edited(() => undefined);
    cpSync(bundle, path.join(tmp, 'endless'), { recursive: true });
    const url = `${base}/endless/`;
    expect(await refusal(url)).toBe(`bundle ${url}: cannot read 'weights.bin' (more than the 4 bytes expected)`);
  });
});
