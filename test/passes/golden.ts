/**
 * Golden pass tests: each file in test/passes/golden/ holds cases separated by
 * a `// -----` line. A case is input IR, a `// EXPECT:` line, and the IR
 * expected after running the passes named on the file's `// PASSES:` line.
 * `npm run update-golden` rewrites the EXPECT parts on purpose.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import '../../compiler/ops/index.js';
import { parseGraph } from '../../compiler/ir/parser.js';
import { printGraph } from '../../compiler/ir/printer.js';
import { verifyGraph } from '../../compiler/ir/verifier.js';
import { runPasses } from '../../compiler/passes/manager.js';
import { pipelinePasses } from '../../compiler/passes/pipeline.js';

export const GOLDEN_DIR = new URL('./golden/', import.meta.url).pathname;
const SEPARATOR = '// -----';
const EXPECT = '// EXPECT:';

export interface GoldenCase {
  input: string;
  expected: string;
}

export interface GoldenFile {
  path: string;
  passes: string[];
  cases: GoldenCase[];
}

export function readGoldenFiles(): GoldenFile[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.ir'))
    .sort()
    .map((f) => parseGoldenFile(join(GOLDEN_DIR, f)));
}

export function parseGoldenFile(path: string): GoldenFile {
  const text = readFileSync(path, 'utf8');
  const header = /^\/\/ PASSES: (.*)$/m.exec(text);
  if (!header) throw new Error(`${path}: missing a '// PASSES: name, ...' line`);
  const passes = header[1].split(',').map((s) => s.trim());
  const body = text.slice(text.indexOf('\n', header.index) + 1);
  const cases = body.split(`${SEPARATOR}\n`).map((chunk) => {
    const at = chunk.indexOf(`${EXPECT}\n`);
    if (at < 0) throw new Error(`${path}: a case has no '${EXPECT}' line`);
    return { input: chunk.slice(0, at), expected: chunk.slice(at + EXPECT.length + 1) };
  });
  return { path, passes, cases };
}

export function formatGoldenFile(file: GoldenFile, preamble: string): string {
  return preamble + file.cases.map((c) => `${c.input}${EXPECT}\n${c.expected}`).join(`${SEPARATOR}\n`);
}

/** Runs the named passes (to a fixed point, verifying after each) and prints the result. */
export function runGoldenCase(passNames: readonly string[], input: string): string {
  const g = parseGraph(input);
  verifyGraph(g);
  const passes = pipelinePasses().filter((p) => passNames.includes(p.name));
  if (passes.length !== passNames.length) throw new Error(`unknown pass in ${passNames.join(', ')}`);
  runPasses(g, passes, { verifyEach: true });
  return printGraph(g, { weights: true });
}
