/**
 * Hostile model files (issue #9, defects 2, 3 and 8b): weight paths that
 * leave the model's folder, files that are not regular files, sizes that a
 * file declares beyond the limits, `.keras` archives with huge or lying
 * entries, and a byte order mark before the JSON. Each is built for real in
 * a temp dir and must give one clean ModelFileError, quickly and without the
 * memory the file asks for.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import * as fc from 'fast-check';
import { strToU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layers, sequential } from '../../compiler/frontend/dsl/index.js';
import { loadKerasFile, ModelFileError } from '../../compiler/frontend/keras/index.js';
import { jsonErrorOffset } from '../../compiler/io/json_syntax.js';
import { readTfjsCase, writeKeras3Archive } from '../helpers/keras_writers.js';

let tmp: string;
let counter = 0;
/** A file outside every model folder, the same size as the models' weights.bin. */
let secret: string;
let weightsBin: Uint8Array;
let modelJson: string;
let keras: Record<string, Uint8Array>;

const GiB = 1024 ** 3;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tfc-file-safety-'));
  const source = path.join(tmp, 'source');
  await sequential([layers.dense({ units: 3, inputShape: [4], kernelInitializer: 'ones' })]).save(source);
  modelJson = readFileSync(path.join(source, 'model.json'), 'utf8');
  weightsBin = new Uint8Array(readFileSync(path.join(source, 'weights.bin')));
  secret = path.join(tmp, 'secret.bin');
  writeFileSync(secret, new Uint8Array(weightsBin.length).fill(7));
  keras = unzipSync(await writeKeras3Archive(readTfjsCase(source)));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function freshDir(): string {
  const dir = path.join(tmp, `m${counter++}`);
  mkdirSync(dir);
  return dir;
}

/** A model folder whose model.json names `paths` as its one weight group's files; returns the model.json path. */
function modelNaming(paths: string[], edit: (json: { weightsManifest: { paths: string[] }[] }) => void = () => undefined): string {
  const dir = freshDir();
  const json = JSON.parse(modelJson) as { weightsManifest: { paths: string[] }[] };
  json.weightsManifest[0].paths = paths;
  edit(json);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return path.join(dir, 'model.json');
}

/** Loads `file`, which must fail with a ModelFileError within `seconds`; returns the error. */
async function refusal(file: string, seconds = 5): Promise<ModelFileError> {
  const started = Date.now();
  const error = await loadKerasFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(seconds * 1000);
  expect(error).toBeInstanceOf(ModelFileError);
  const e = error as ModelFileError;
  expect(e.message).not.toContain('\n');
  return e;
}

describe('model.json weight paths stay inside the model folder', () => {
  it('refuses ../ out of the folder, naming the model file, the group and the path', async () => {
    const file = modelNaming(['../secret.bin']);
    const e = await refusal(file);
    expect(e.message).toContain(`${file}: weight file '../secret.bin' named in weightsManifest[0] resolves to ${secret}, outside the model's folder`);
  });

  it('refuses a path that goes down, then out', async () => {
    const file = modelNaming(['sub/../../secret.bin']);
    mkdirSync(path.join(path.dirname(file), 'sub'));
    expect((await refusal(file)).message).toMatch(/'sub\/\.\.\/\.\.\/secret\.bin' named in weightsManifest\[0\] resolves to .*, outside/);
  });

  it('refuses an absolute path and a file: URL', async () => {
    expect((await refusal(modelNaming([secret]))).message).toMatch(/weight file '.*secret\.bin' named in weightsManifest\[0\] is an absolute path/);
    const url = `file://${secret}`;
    expect((await refusal(modelNaming([url]))).message).toContain(`weight file '${url}' named in weightsManifest[0] is a URL`);
  });

  it('refuses a symlink that leaves the folder', async () => {
    const file = modelNaming(['weights.bin']);
    symlinkSync(secret, path.join(path.dirname(file), 'weights.bin'));
    expect((await refusal(file)).message).toMatch(/'weights\.bin' named in weightsManifest\[0\] resolves to .*secret\.bin, outside the model's folder/);
  });

  it('refuses a symlink to /dev/zero without reading it', async () => {
    const file = modelNaming(['weights.bin']);
    symlinkSync('/dev/zero', path.join(path.dirname(file), 'weights.bin'));
    expect((await refusal(file)).message).toMatch(/resolves to \/dev\/zero, outside the model's folder/);
  });

  it('still reads shards in a subfolder and through a symlink that stays inside', async () => {
    const file = modelNaming(['shards/part.bin']);
    const dir = path.dirname(file);
    mkdirSync(path.join(dir, 'shards'));
    writeFileSync(path.join(dir, 'shards/part.bin'), weightsBin);
    const spec = await loadKerasFile(file);
    expect(Array.from(spec.layers[0].weights.get('kernel')!.data)).toEqual(new Array(12).fill(1));
    const linked = modelNaming(['weights.bin']);
    writeFileSync(path.join(path.dirname(linked), 'real.bin'), weightsBin);
    symlinkSync('real.bin', path.join(path.dirname(linked), 'weights.bin'));
    await expect(loadKerasFile(linked)).resolves.toBeDefined();
  });
});

describe('files that are not regular, or larger than declared', () => {
  it('refuses a FIFO shard at once instead of blocking on it', async () => {
    const file = modelNaming(['weights.bin']);
    execFileSync('mkfifo', [path.join(path.dirname(file), 'weights.bin')]);
    expect((await refusal(file, 3)).message).toContain("weight file 'weights.bin' named in weightsManifest[0] is a FIFO (named pipe), not a regular file");
  });

  it('refuses a directory named as a shard', async () => {
    const file = modelNaming(['weights.bin']);
    mkdirSync(path.join(path.dirname(file), 'weights.bin'));
    expect((await refusal(file)).message).toContain("'weights.bin' named in weightsManifest[0] is a directory, not a regular file");
  });

  it('refuses a FIFO model.json at once', async () => {
    const file = path.join(freshDir(), 'model.json');
    execFileSync('mkfifo', [file]);
    expect((await refusal(file, 3)).message).toBe(`${file}: is a FIFO (named pipe), not a regular file`);
  });

  it('does not block sniffing a FIFO with no telling extension', async () => {
    const file = path.join(freshDir(), 'weights');
    execFileSync('mkfifo', [file]);
    expect((await refusal(file, 3)).message).toBe(`${file}: is a FIFO (named pipe), not a regular file`);
  });

  it('refuses a 20 GiB shard before reading it, in bounded memory', async () => {
    const file = modelNaming(['weights.bin']);
    // Sparse: it takes no disk, but fstat says 20 GiB.
    writeFileSync(path.join(path.dirname(file), 'weights.bin'), '');
    truncateSync(path.join(path.dirname(file), 'weights.bin'), 20 * GiB);
    const before = process.memoryUsage().rss;
    const e = await refusal(file);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
    expect(e.message).toContain(`holds ${20 * GiB} bytes but its manifest entries describe only ${weightsBin.length}`);
  });

  it('refuses a weight shape over the tensor limit before reading anything, naming the weight and the limit', async () => {
    const file = modelNaming(['weights.bin'], (json) => {
      (json.weightsManifest[0] as unknown as { weights: { shape: number[] }[] }).weights[0].shape = [1e6, 1e6];
    });
    const e = await refusal(file);
    expect(e.message).toMatch(/weight 'dense\/kernel': shape \[1000000,1000000\] has 1,000,000,000,000 values over the limit for one tensor of 1,073,741,824 values \(MAX_TENSOR_ELEMENTS\)/);
  });

  it('refuses a weight listed twice in one group', async () => {
    const file = modelNaming(['weights.bin'], (json) => {
      const entries = (json.weightsManifest[0] as unknown as { weights: unknown[] }).weights;
      entries.push(entries[1]);
    });
    writeFileSync(path.join(path.dirname(file), 'weights.bin'), new Uint8Array([...weightsBin, ...weightsBin.subarray(48)]));
    expect((await refusal(file)).message).toBe(`${file}: weight 'dense/bias': appears twice in weightsManifest`);
  });

  it('refuses a manifest declaring more weight bytes than the limit in all', async () => {
    const file = modelNaming(['weights.bin'], (json) => {
      const entries = (json.weightsManifest[0] as unknown as { weights: { name: string; shape: number[]; dtype: string }[] }).weights;
      for (let i = 0; i < 3; i++) entries.push({ name: `big_${i}`, shape: [30000, 30000], dtype: 'float32' });
    });
    expect((await refusal(file)).message).toMatch(/weightsManifest declares 10\.1 GiB of weights; the limit is 2 GiB \(MAX_WEIGHT_BYTES\)/);
  });
});

describe('a byte order mark before the JSON', () => {
  it('is accepted before model.json', async () => {
    const file = path.join(freshDir(), 'model.json');
    writeFileSync(file, `\uFEFF${modelJson}`);
    writeFileSync(path.join(path.dirname(file), 'weights.bin'), weightsBin);
    expect((await loadKerasFile(file)).layers.map((l) => l.className)).toEqual(['Dense']);
  });

  it('does not shift the position of a syntax error', async () => {
    const file = path.join(freshDir(), 'model.json');
    writeFileSync(file, '\uFEFF{\n  "format": oops\n}');
    expect((await refusal(file)).message).toBe(`${file}: malformed JSON at line 2, column 13 (offset 14): unexpected "o"`);
  });


  it('is accepted before config.json and metadata.json in a .keras archive', async () => {
    const bom = (bytes: Uint8Array): Uint8Array => new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    const file = writeArchive([
      stored('config.json', bom(keras['config.json'])),
      stored('metadata.json', bom(keras['metadata.json'])),
      deflated('model.weights.h5', keras['model.weights.h5']),
    ]);
    expect((await loadKerasFile(file)).layers.map((l) => l.className)).toEqual(['Dense']);
  });
});

describe('JSON syntax errors', () => {
  it('are one line with the position of the first bad character, even where JSON.parse gives none', async () => {
    const file = path.join(freshDir(), 'model.json');
    writeFileSync(file, '{\n  "modelTopology": {\n    "class_name": Sequential\n  }\n}');
    expect((await refusal(file)).message).toBe(`${file}: malformed JSON at line 3, column 19 (offset 41): unexpected "S"`);
    writeFileSync(file, '{"modelTopology": [1, 2');
    expect((await refusal(file)).message).toBe(`${file}: malformed JSON at line 1, column 24 (offset 23): the text ends too early`);
  });

  it('finds an error exactly where JSON.parse does not accept the text (random edits of JSON)', () => {
    const edited = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\n', 'x', '0', '-', '\\'), fc.nat(2))
      .map(([text, at, insert, cut]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + cut);
      });
    fc.assert(
      fc.property(edited, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(text) === -1).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });

  it('scans deeply nested input without overflowing the stack', () => {
    expect(jsonErrorOffset('['.repeat(1e6))).toBe(1e6);
  });
});

/** A zip entry as written: the bytes after the local header, and the sizes the headers declare. */
interface RawEntry {
  name: string;
  method: 0 | 8;
  data: Uint8Array;
  size: number;
}

const stored = (name: string, data: Uint8Array): RawEntry => ({ name, method: 0, data, size: data.length });
const deflated = (name: string, data: Uint8Array): RawEntry => ({ name, method: 8, data: deflateRawSync(data), size: data.length });

/** A deflate stream of `gib` GiB of zeros, about 1 MiB per GiB: sync-flushed segments repeated, then an empty final block. */
let zerosSegment: Uint8Array | undefined;
function zerosStream(gib: number): Uint8Array {
  zerosSegment ??= deflateRawSync(new Uint8Array(64 * 1024 ** 2), { finishFlush: constants.Z_SYNC_FLUSH });
  const segment = zerosSegment;
  const count = gib * 16;
  const out = new Uint8Array(segment.length * count + 2);
  for (let i = 0; i < count; i++) out.set(segment, i * segment.length);
  out.set([0x03, 0x00], segment.length * count);
  return out;
}

/** Writes a zip archive of exactly these entries (CRCs are left 0: nothing here checks them); returns its path. */
function writeArchive(entries: RawEntry[]): string {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = strToU8(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 20, true);
    dv.setUint16(10, e.method, true);
    dv.setUint32(20, e.data.length, true);
    dv.setUint32(24, e.size, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, e.data);
    central.push(dir);
    offset += local.length + e.data.length;
  }
  const centralSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const file = path.join(freshDir(), 'model.keras');
  writeFileSync(file, Buffer.concat([...parts, ...central, end]));
  return file;
}

describe('.keras archives: only the needed entries, sizes checked before inflating', () => {
  const needed = (): RawEntry[] => [
    deflated('config.json', keras['config.json']),
    deflated('metadata.json', keras['metadata.json']),
    deflated('model.weights.h5', keras['model.weights.h5']),
  ];

  it('never inflates a 3 GiB junk entry', async () => {
    const file = writeArchive([...needed(), { name: 'assets/junk.bin', method: 8, data: zerosStream(3), size: 3 * GiB }]);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const spec = await loadKerasFile(file);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 ** 2);
    expect(spec.layers.map((l) => l.className)).toEqual(['Dense']);
  });

  it('refuses a config.json that declares more than the JSON limit, before inflating it', async () => {
    const [, metadata, weights] = needed();
    const file = writeArchive([{ name: 'config.json', method: 8, data: zerosStream(3), size: 3 * GiB }, metadata, weights]);
    const before = process.memoryUsage().rss;
    const e = await refusal(file);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 ** 2);
    expect(e.message).toBe(`${file}: 'config.json' declares 3 GiB; the limit for a JSON file (MAX_JSON_BYTES) is 64 MiB`);
  });

  it('stops inflating an entry whose data is larger than its header says', async () => {
    const [config, metadata] = needed();
    const file = writeArchive([config, metadata, { name: 'model.weights.h5', method: 8, data: zerosStream(2), size: 1024 }]);
    const e = await refusal(file, 3);
    expect(e.message).toBe(`${file}: is not a valid .keras archive: the zip cannot be read ('model.weights.h5' inflates to more than the 1 KiB it declares)`);
  });

  it('refuses an entry whose data is shorter than its header says', async () => {
    const [config, metadata, weights] = needed();
    const file = writeArchive([config, metadata, { ...weights, size: weights.size + 10 }]);
    expect((await refusal(file)).message).toMatch(/'model\.weights\.h5' inflates to \d+ bytes but declares \d+\)$/);
  });

  it('refuses a .keras or .h5 path that is a FIFO or over MAX_FILE_BYTES, before reading it', async () => {
    for (const name of ['model.keras', 'model.h5']) {
      const fifo = path.join(freshDir(), name);
      execFileSync('mkfifo', [fifo]);
      expect((await refusal(fifo, 3)).message).toBe(`${fifo}: is a FIFO (named pipe), not a regular file`);
      const huge = path.join(freshDir(), name);
      writeFileSync(huge, '');
      truncateSync(huge, 3 * GiB);
      expect((await refusal(huge)).message).toMatch(new RegExp(`^${huge}: is 3 GiB; the limit for an? \\S+ (archive|file) \\(MAX_FILE_BYTES\\) is 2 GiB$`));
    }
  });
});
