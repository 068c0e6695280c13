/**
 * loadModel({ files }) — a bundle as a map from each file name to its own URL
 * or path, as a bundler emits it under hashed names — on the hand-built
 * `scale` bundle (y = 2.5 x): over HTTP and from Node paths and file: URLs,
 * with the same checks as a folder (size, SHA-256, plain names, regular
 * files), and a file the manifest needs that the map lacks named in one
 * BundleError.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, loadModel, type BundleFiles, type TensorLike } from '../../runtime/index.js';
import { writeScaleBundle } from '../runtime/bundle_dir.js';

let tmp: string;
let dir: string;
/** The bundle's files under hashed names in `<tmp>/assets`, by bundle file name. */
let hashed: Record<string, string>;

beforeAll(async () => {
  ({ tmp, dir } = await writeScaleBundle('tfc-file-map-'));
  mkdirSync(path.join(tmp, 'assets'));
  hashed = Object.fromEntries(
    readdirSync(dir).map((name, i) => {
      const file = path.join(tmp, 'assets', `${name.replace('.', `-${i}a7c9.`)}`);
      writeFileSync(file, readFileSync(path.join(dir, name)));
      return [name, file];
    }),
  );
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function expectScale(files: BundleFiles): Promise<void> {
  const model = await loadModel(files, { backend: 'wasm' });
  const y = (await model.predict({ data: Float32Array.of(1, 2, 3, -4), shape: [1, 4] })) as TensorLike;
  expect(Array.from(y.data)).toEqual([2.5, 5, 7.5, -10]);
}

async function refusal(files: BundleFiles): Promise<string> {
  const error = await loadModel(files, { backend: 'wasm' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  return (error as BundleError).message;
}

/** The map with `name` pointing at a copy of its file changed by `edit`. */
function withEdited(name: string, edit: (bytes: Uint8Array) => Uint8Array): Record<string, string> {
  const file = path.join(tmp, 'assets', `edited-${name}`);
  writeFileSync(file, edit(readFileSync(hashed[name])));
  return { ...hashed, [name]: file };
}

describe('a file map in Node', () => {
  it('loads from paths, and from file: URLs', async () => {
    await expectScale({ files: hashed });
    await expectScale({ files: Object.fromEntries(Object.entries(hashed).map(([name, file]) => [name, pathToFileURL(file)])) });
  });

  it('names the file the manifest needs and the map lacks', async () => {
    const { 'weights.bin': _, ...lacking } = hashed;
    expect(await refusal({ files: lacking })).toBe(`bundle ${hashed['manifest.json']}: cannot read 'weights.bin' (the file map has no entry for it)`);
    const { 'manifest.json': __, ...noManifest } = hashed;
    expect(await refusal({ files: noManifest })).toBe(`bundle file map: cannot read 'manifest.json' (the file map has no entry for it)`);
  });

  it('never takes a name the manifest gives from the map object prototype', async () => {
    const manifest = JSON.parse(readFileSync(hashed['manifest.json'], 'utf8')) as { targets: { wasm: { file: string } }; files: Record<string, unknown> };
    Object.assign(manifest.files, { toString: manifest.files[manifest.targets.wasm.file] });
    manifest.targets.wasm.file = 'toString';
    const files = withEdited('manifest.json', () => new TextEncoder().encode(JSON.stringify(manifest)));
    expect(await refusal({ files })).toMatch(/cannot read 'toString' \(the file map has no entry for it\)$/);
  });

  it('checks every file as in a folder: SHA-256, size, regular files', async () => {
    const corrupt = withEdited('weights.bin', (b) => b.map((x) => x ^ 1));
    expect(await refusal({ files: corrupt })).toMatch(/'weights\.bin' is corrupt: its SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/);
    const longer = withEdited('weights.bin', (b) => Uint8Array.of(...b, 0));
    expect(await refusal({ files: longer })).toMatch(/cannot read 'weights\.bin' \(5 bytes, more than the 4 expected\)$/);
    expect(await refusal({ files: { ...hashed, 'weights.bin': path.join(tmp, 'assets') } })).toMatch(/cannot read 'weights\.bin' \(not a regular file\)$/);
  });

  it('is refused when it is not an object of files', async () => {
    expect(await refusal({ files: null } as unknown as BundleFiles)).toBe('loadModel needs a bundle folder, its URL, or { files: { [name]: url } }');
  });
});

describe('a file map over HTTP', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      try {
        response.end(readFileSync(path.join(tmp, 'assets', path.basename(request.url ?? '/'))));
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/assets/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const urls = (): Record<string, string> => Object.fromEntries(Object.entries(hashed).map(([name, file]) => [name, base + path.basename(file)]));

  it('loads from the hashed URLs', async () => {
    await expectScale({ files: urls() });
  });

  it('refuses a URL that is not found, naming the file and the status', async () => {
    const files: Record<string, string> = { ...urls(), 'model.wasm': `${base}gone.wasm` };
    expect(await refusal({ files })).toBe(`bundle ${files['manifest.json']}: cannot read 'model.wasm' (HTTP 404)`);
  });
});
