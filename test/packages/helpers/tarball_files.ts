/**
 * What a published tarball may hold: compiled JavaScript, type declarations,
 * README, LICENSE and package.json. Never sources, tests, benchmarks, source
 * maps or CI files.
 */

const REQUIRED = ['package.json', 'README.md', 'LICENSE'];

/** Compiled JavaScript lives in these top folders (dist/ from the build, bin/ the CLI, cjs/ the CommonJS stubs). */
const JS_FOLDERS = ['dist/', 'bin/', 'cjs/'];

const DECLARATION = /\.d\.(ts|mts|cts)$/;
const JAVASCRIPT = /\.(js|mjs|cjs)$/;
const NEVER = /(^|\/)(test|tests|bench|\.ci|node_modules)\//;

function allowed(file: string): boolean {
  if (REQUIRED.includes(file)) return true;
  if (NEVER.test(file)) return false;
  if (DECLARATION.test(file)) return true;
  return JAVASCRIPT.test(file) && JS_FOLDERS.some((folder) => file.startsWith(folder));
}

/** The problems with a tarball's file list: files it must not hold, and required ones it lacks. */
export function tarballFileProblems(files: readonly string[]): string[] {
  return [
    ...files.filter((f) => !allowed(f)).map((f) => `holds ${f}`),
    ...REQUIRED.filter((f) => !files.includes(f)).map((f) => `lacks ${f}`),
  ];
}
