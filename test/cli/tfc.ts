/** Runs the `tfc` executable as a user would (`node bin/tfc.js ...`), against the built dist/. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'packages/compiler/bin/tfc.js');

if (!existsSync(path.join(repoRoot, 'packages/compiler/dist/driver/cli/main.js'))) {
  throw new Error('packages/compiler/dist/ is not built: run `npm run build` before the CLI tests (npm test does)');
}

export interface TfcResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tfc(args: string[], cwd = repoRoot): Promise<TfcResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `tasks` with at most `limit` in flight at once. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
