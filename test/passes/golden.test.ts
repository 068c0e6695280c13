import { describe, expect, it } from 'vitest';
import { readGoldenFiles, runGoldenCase } from './golden.js';

for (const file of readGoldenFiles()) {
  describe(file.path.replace(/.*\//, ''), () => {
    file.cases.forEach((c, i) => {
      const title = /^\/\/ CASE: (.*)$/m.exec(c.input)?.[1] ?? `case ${i}`;
      it(title, () => {
        expect(runGoldenCase(file.passes, c.input)).toBe(c.expected);
      });
    });
  });
}
