import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kerasCaseDir } from '../helpers/conformance.js';
import { tfc } from './tfc.js';

describe('tfc layers', () => {
  it('lists every layer class the conformance models use', async () => {
    const r = await tfc(['layers']);
    expect(r.code).toBe(0);
    const listed = new Set(r.stdout.split('\n').map((l) => l.trim()));
    const used = new Set<string>();
    for (const name of ['conv2d_transpose', 'bidirectional_timedistributed', 'merge_functional', 'activations']) {
      const c = JSON.parse(readFileSync(path.join(kerasCaseDir(name), 'case.json'), 'utf8')) as { layers: string[] };
      c.layers.forEach((l) => used.add(l));
    }
    for (const l of used) expect(listed.has(l), `${l} is listed`).toBe(true);
    expect(listed.has('hard_sigmoid')).toBe(true);
  });
});
