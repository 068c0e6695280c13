/**
 * A hand-built stand-in for compileWasm's output, so the bundle writer and
 * the runtime are tested on their own: a model `scale` with y = x * w, where
 * x: f32[N,4], y: f32[N,4] and w is one f32 weight. Its module reads the weight
 * from the weights region and x and y at the layout's offsets, so a wrong
 * offset, an uncopied weight or memory that did not grow gives wrong numbers.
 */
import { binaryen, createModule, emitBytes } from '../../targets/wasm/binaryen.js';
import '../../compiler/ops/index.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { f32 } from '../../compiler/ir/tensor.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { WasmArtifact } from '../../targets/wasm/index.js';

export const WEIGHTS_OFFSET = 16;
export const ARENA_OFFSET = 256;
/** x occupies [ARENA_OFFSET, +16N); y starts at ARENA_OFFSET + 256 N. */
const Y_PER_BATCH = 256;

export function scaleGraph(): Graph {
  const b = new GraphBuilder('scale');
  const x = b.input('x', { dtype: 'f32', shape: ['N', 4] });
  const w = b.constant('w', f32([1], [2.5]));
  b.output('y', b.op('mul', [x, w]));
  return b.graph;
}

function scaleModule(): Uint8Array<ArrayBuffer> {
  const m = createModule({ relaxedSimd: false });
  const { i32 } = binaryen;
  m.setMemory(1, 65536, 'memory');
  const batch = m.local.get(0, i32);
  const i = (): number => m.local.get(1, i32);
  const count = m.i32.mul(batch, m.i32.const(4));
  const yAddr = m.i32.add(m.i32.const(ARENA_OFFSET), m.i32.mul(batch, m.i32.const(Y_PER_BATCH)));
  const xAt = m.i32.add(m.i32.const(ARENA_OFFSET), m.i32.shl(i(), m.i32.const(2)));
  const yAt = m.i32.add(yAddr, m.i32.shl(i(), m.i32.const(2)));
  const body = m.block(null, [
    m.local.set(1, m.i32.const(0)),
    m.block('done', [
      m.loop(
        'next',
        m.block(null, [
          m.br('done', m.i32.ge_u(i(), count)),
          m.f32.store(0, 4, yAt, m.f32.mul(m.f32.load(0, 4, xAt), m.f32.load(0, 4, m.i32.const(WEIGHTS_OFFSET)))),
          m.local.set(1, m.i32.add(i(), m.i32.const(1))),
          m.br('next'),
        ]),
      ),
    ]),
  ]);
  m.addFunction('run', binaryen.createType([i32]), binaryen.none, [i32], body);
  m.addFunctionExport('run', 'run');
  if (!m.validate()) throw new Error('scale fixture module is invalid');
  const bytes = emitBytes(m);
  m.dispose();
  return bytes;
}

export function scaleArtifact(): WasmArtifact {
  return {
    wasm: scaleModule(),
    weights: new Uint8Array(new Float32Array([2.5]).buffer),
    layout: {
      weightsOffset: WEIGHTS_OFFSET,
      arenaOffset: ARENA_OFFSET,
      arenaBytes: { base: 0, perBatch: 2 * Y_PER_BATCH },
      inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 4], offset: { base: ARENA_OFFSET, perBatch: 0 } }],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 4], offset: { base: ARENA_OFFSET, perBatch: Y_PER_BATCH } }],
    },
  };
}
