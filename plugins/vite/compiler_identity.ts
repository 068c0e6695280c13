/**
 * What identifies the compiler that produced a cached bundle: tfc-compiler's
 * version and the modification time of its ES module entry. The time changes
 * whenever the package is reinstalled or rebuilt (a checkout of tfc rebuilds
 * it without changing the version), so a cache never serves a bundle made by
 * other compiler code.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

interface CompilerPackage {
  version: string;
  exports: { '.': { import: string } };
}

export async function compilerIdentity(): Promise<string> {
  const packageJson = createRequire(import.meta.url).resolve('tfc-compiler/package.json');
  const { version, exports } = JSON.parse(await readFile(packageJson, 'utf8')) as CompilerPackage;
  const { mtimeMs } = await stat(path.join(path.dirname(packageJson), exports['.'].import));
  return `tfc-compiler ${version} ${mtimeMs}`;
}
