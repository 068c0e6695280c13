/**
 * Regenerates the expected IR of every golden pass test from the current
 * passes. Run it on purpose (`npm run update-golden`), then read the diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatGoldenFile, readGoldenFiles, runGoldenCase } from '../test/passes/golden.js';

for (const file of readGoldenFiles()) {
  const text = readFileSync(file.path, 'utf8');
  const header = /^\/\/ PASSES: .*\n/m.exec(text)!;
  const preamble = text.slice(0, header.index + header[0].length);
  file.cases = file.cases.map((c) => ({ input: c.input, expected: runGoldenCase(file.passes, c.input) }));
  writeFileSync(file.path, formatGoldenFile(file, preamble));
  console.log(`updated ${file.path} (${file.cases.length} cases)`);
}
