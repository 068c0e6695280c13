/**
 * A new user's project: a temporary folder outside the repository, made
 * with `npm init -y` (CommonJS, npm's default) and the packed tarballs
 * installed from their files, the rest from the registry through the npm
 * cache. Also holds the consumer scripts of ./consumer.
 */
import { cpSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../helpers/conformance.js';
import { mustRun } from './npm.js';

const consumerDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'consumer');

/** Makes the project and installs `tarballs` into it; returns its folder. */
export async function freshProject(tarballs: readonly string[]): Promise<string> {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'tfc-fresh-project-')));
  if (!path.relative(repoRoot, dir).startsWith('..')) throw new Error(`the fresh project ${dir} must be outside the repository ${repoRoot}`);
  await mustRun('npm', ['init', '-y'], dir);
  await mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], dir, 300_000);
  cpSync(consumerDir, dir, { recursive: true });
  return dir;
}
