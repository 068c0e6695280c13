/** Writes the `scale` fixture as a bundle folder under a fresh temp dir, for runtime and bundle tests. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assembleBundle, writeBundleDir, type Bundle } from '../../driver/bundle/index.js';
import { inspectGraphs } from '../../compiler/inspect.js';
import { planMemory } from '../../compiler/plan/index.js';
import { scaleArtifact, scaleGraph } from './fixture.js';

export function scaleBundle(): Bundle {
  const graph = scaleGraph();
  return assembleBundle(graph, { wasm: scaleArtifact() }, planMemory(graph), inspectGraphs(graph, graph));
}

/** A new temp dir holding the bundle at `<tmp>/bundle`; returns both paths. */
export async function writeScaleBundle(prefix: string): Promise<{ tmp: string; dir: string }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir = path.join(tmp, 'bundle');
  await writeBundleDir(dir, scaleBundle().files);
  return { tmp, dir };
}
