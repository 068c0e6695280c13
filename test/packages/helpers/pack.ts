/**
 * Packs every workspace package (each folder of the root package.json's
 * `workspaces` that has a package.json) into a tarball, as `npm publish`
 * would, but without `prepack`: that script runs the whole build
 * (scripts/build.mjs) once per package, minutes on two cores, and `npm test`
 * has just built. So the build is checked to be current instead (every
 * built file newer than every product source), and LICENSE is copied with
 * the same script prepack runs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/conformance.js';
import { mustRun } from './npm.js';

export interface WorkspacePackage {
  /** The package's folder, relative to the repository root. */
  dir: string;
  name: string;
  scripts: Record<string, string>;
}

export interface PackedPackage extends WorkspacePackage {
  tarball: string;
  /** The paths inside the tarball, relative to the package root. */
  files: string[];
}

/** The source folders each package is compiled from (scripts/build.mjs); a package not listed is checked against all of them. */
const SOURCES: Record<string, string[]> = {
  'packages/compiler': ['compiler', 'driver', 'runtime', 'targets'],
  'packages/runtime': ['runtime'],
  'packages/vite-plugin': ['plugins'],
};
const ALL_SOURCES = ['compiler', 'driver', 'runtime', 'targets', 'plugins'];

export function workspacePackages(): WorkspacePackage[] {
  const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces
    .filter((dir) => existsSync(path.join(repoRoot, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string; scripts?: Record<string, string> };
      return { dir, name: pkg.name, scripts: pkg.scripts ?? {} };
    });
}

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => keep(f) && statSync(f).isFile());
}

/** The newest TypeScript file under `folders` and its time. */
function newestSource(folders: readonly string[]): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const folder of folders) {
    for (const file of filesUnder(path.join(repoRoot, folder), (f) => f.endsWith('.ts') && !f.includes(`${path.sep}node_modules${path.sep}`))) {
      const { mtimeMs } = statSync(file);
      if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
    }
  }
  return newest;
}

/**
 * Throws unless every file under each package's dist/ was written after the
 * last edit of its sources. The build rewrites every output, so an older
 * file is either out of date or left over from a removed source.
 */
export function checkBuildCurrent(packages: readonly WorkspacePackage[]): void {
  for (const pkg of packages) {
    const source = newestSource(SOURCES[pkg.dir] ?? ALL_SOURCES);
    const dist = path.join(repoRoot, pkg.dir, 'dist');
    const built = filesUnder(dist, () => true);
    if (built.length === 0) throw new Error(`${pkg.dir}/dist is not built: run \`npm run build\` (npm test does)`);
    const stale = built.find((f) => statSync(f).mtimeMs < source.mtimeMs);
    if (stale !== undefined) {
      throw new Error(
        `${path.relative(repoRoot, stale)} is older than ${path.relative(repoRoot, source.file)}: the build is not current; ` +
          `run \`npm run build\` (after deleting ${pkg.dir}/dist if a source file was removed)`,
      );
    }
  }
}

/** `npm pack` of one workspace package into `destination`. */
async function packOne(pkg: WorkspacePackage, destination: string): Promise<PackedPackage> {
  const dir = path.join(repoRoot, pkg.dir);
  await mustRun(process.execPath, [path.join(repoRoot, 'scripts/copy-license.mjs')], dir);
  const stdout = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], dir);
  const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  return { ...pkg, tarball: path.join(destination, report.filename), files: report.files.map((f) => f.path) };
}

/** Packs every workspace package (after checking the build is current). */
export async function packWorkspaces(destination: string): Promise<PackedPackage[]> {
  const packages = workspacePackages();
  checkBuildCurrent(packages);
  const packed: PackedPackage[] = [];
  for (const pkg of packages) packed.push(await packOne(pkg, destination));
  return packed;
}
