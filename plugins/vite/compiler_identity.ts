/**
 * What identifies the compiler that produced a cached bundle: tfc-compiler's
 * version and the modification time of its entry module. The time changes
 * whenever the package is reinstalled or rebuilt (a checkout of tfc rebuilds
 * it without changing the version), so a cache never serves a bundle made by
 * other compiler code.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function compilerIdentity(): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve('tfc-compiler'));
  const packageJson = fileURLToPath(import.meta.resolve('tfc-compiler/package.json'));
  const [{ mtimeMs }, text] = await Promise.all([stat(entry), readFile(packageJson, 'utf8')]);
  const { version } = JSON.parse(text) as { version: string };
  return `tfc-compiler ${version} ${mtimeMs}`;
}
