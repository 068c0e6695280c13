/** Weight manifest and shard cases: dtypes, shapes, byte counts, and files outside the model's folder. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { CliCase } from '../case.js';
import { tinyInput, writeTinyTfjs } from '../tiny_model.js';
import { groupOf, RUN, tfjs, write, type Setup } from './common.js';

/** The tiny model in `dir/model/`, its weight path replaced by `shard` (relative to that folder), and x.npy. */
function shardAt(shard: string | ((dir: string) => string), prepare: (dir: string) => void = () => undefined): Setup {
  return (dir) => {
    const modelDir = path.join(dir, 'model');
    mkdirSync(modelDir);
    prepare(dir);
    writeTinyTfjs(modelDir, (f) => (groupOf(f).paths = [typeof shard === 'string' ? shard : shard(dir)]));
    write(dir, 'x.npy', tinyInput());
  };
}

/** 92 bytes: as many as the model's weights, so only the path check can refuse it. */
const SECRET = new Uint8Array(92).fill(0x41);

const RUN_IN_MODEL = ['run', 'model/model.json', '--input', 'x.npy', '--output', 'y.npy'];

const OUTSIDE = /outside|not inside|escapes|inside (the model|its own folder)/i;

export const weightCases: CliCase[] = [
  { name: 'weight dtype float64', setup: tfjs((f) => (groupOf(f).weights[0].dtype = 'float64')), argv: RUN, expect: /weight 'dense\/kernel'.*float64/ },
  { name: 'weight dtype is a number', setup: tfjs((f) => (groupOf(f).weights[1].dtype = 7)), argv: RUN, expect: /weight 'dense\/bias'.*dtype/ },
  { name: 'weight shape has a negative size', setup: tfjs((f) => (groupOf(f).weights[0].shape = [4, -3])), argv: RUN, expect: /weight 'dense\/kernel'.*shape/ },
  { name: 'weight shape has a fraction', setup: tfjs((f) => (groupOf(f).weights[0].shape = [4, 2.5])), argv: RUN, expect: /weight 'dense\/kernel'.*shape/ },
  { name: 'weight shape is a string', setup: tfjs((f) => (groupOf(f).weights[0].shape = '4,3')), argv: RUN, expect: /weight 'dense\/kernel'.*shape/ },
  {
    name: 'weight shape of 10^300 elements',
    setup: tfjs((f) => (groupOf(f).weights[0].shape = [1e150, 1e150])),
    argv: RUN,
    expect: /dense\/kernel.*(limit|bytes|too large|shape)/i,
  },
  {
    name: 'weight shape of 2^31 x 2^31 elements',
    setup: tfjs((f) => (groupOf(f).weights[0].shape = [2 ** 31, 2 ** 31])),
    argv: RUN,
    expect: /dense\/kernel.*(limit|bytes|too large|shape)/i,
  },
  {
    name: 'weight shape does not match the layer',
    setup: tfjs((f) => {
      groupOf(f).weights[0].shape = [3, 4];
    }),
    argv: RUN,
    expect: /dense\/kernel|'dense'.*kernel/,
  },
  {
    name: 'weight shapes do not match the byte count',
    setup: tfjs((f) => (groupOf(f).weights[1].shape = [30])),
    argv: RUN,
    expect: /bytes/,
  },
  {
    name: 'a weight listed twice',
    setup: tfjs((f) => {
      const g = groupOf(f);
      g.weights.push({ ...g.weights[3] });
      f.weights = new Uint8Array([...f.weights, 0, 0, 0, 0, 0, 0, 0, 0]);
    }),
    argv: RUN,
    expect: /dense_1\/bias.*twice/,
  },
  { name: 'a weight missing from the manifest', setup: tfjs((f) => { groupOf(f).weights.splice(1, 1); f.weights = new Uint8Array([...f.weights.subarray(0, 48), ...f.weights.subarray(60)]); }), argv: RUN, expect: /dense.*bias/ },
  {
    name: 'a weight no layer has',
    setup: tfjs((f) => {
      groupOf(f).weights.push({ name: 'dense_9/kernel', shape: [1], dtype: 'float32' });
      f.weights = new Uint8Array([...f.weights, 0, 0, 0, 0]);
    }),
    argv: RUN,
    expect: /dense_9\/kernel/,
  },
  { name: 'unknown quantization dtype', setup: tfjs((f) => Object.assign(groupOf(f).weights[0], { quantization: { dtype: 'int4' } })), argv: RUN, expect: /dense\/kernel.*int4/ },
  { name: 'weightsManifest is an object', setup: tfjs((f) => (f.json.weightsManifest = { paths: [] })), argv: RUN, expect: /weightsManifest/ },
  { name: 'shard file missing', setup: tfjs((f) => (groupOf(f).paths = ['group1-shard1of1.bin'])), argv: RUN, expect: /group1-shard1of1\.bin.*does not exist/ },
  { name: 'shard truncated', setup: tfjs((f) => (f.weights = f.weights.subarray(0, 50))), argv: RUN, expect: /50 bytes.*needs 92|truncated/ },
  { name: 'shard with extra bytes', setup: tfjs((f) => (f.weights = new Uint8Array([...f.weights, 1, 2, 3]))), argv: RUN, expect: /95 bytes/ },
  { name: 'shard is an empty file', setup: tfjs((f) => (f.weights = new Uint8Array(0))), argv: RUN, expect: /0 bytes/ },
  {
    name: 'shard path climbs out of the model folder',
    setup: shardAt('../secret.bin', (dir) => write(dir, 'secret.bin', SECRET)),
    argv: RUN_IN_MODEL,
    expect: OUTSIDE,
  },
  {
    name: 'shard path is absolute',
    setup: shardAt((dir) => path.join(dir, 'secret.bin'), (dir) => write(dir, 'secret.bin', SECRET)),
    argv: RUN_IN_MODEL,
    expect: OUTSIDE,
  },
  {
    name: 'shard is a symlink to a file outside',
    setup: shardAt('weights.link', (dir) => {
      write(dir, 'secret.bin', SECRET);
      symlinkSync(path.join(dir, 'secret.bin'), path.join(dir, 'model', 'weights.link'));
    }),
    argv: RUN_IN_MODEL,
    expect: OUTSIDE,
  },
  { name: 'shard is /dev/zero', setup: shardAt('/dev/zero'), argv: RUN_IN_MODEL, expect: /\/dev\/zero|regular file|outside/ },
  { name: 'shard is /dev/urandom through ../', setup: shardAt('../../../../../../../../dev/urandom'), argv: RUN_IN_MODEL, expect: /urandom|regular file|outside/ },
  {
    name: 'shard is a FIFO',
    setup: shardAt('pipe.bin', (dir) => execFileSync('mkfifo', [path.join(dir, 'model', 'pipe.bin')])),
    argv: RUN_IN_MODEL,
    expect: /pipe\.bin.*(regular file|not a file)/,
  },
  {
    name: 'shard is a directory',
    setup: shardAt('shards', (dir) => mkdirSync(path.join(dir, 'model', 'shards'))),
    argv: RUN_IN_MODEL,
    expect: /shards.*(regular file|not a file|directory|cannot be read)/,
  },
];
