/**
 * The runtime a bundle carries in the 'bundled' mode: the single-file ES
 * module and its declarations, copied byte for byte from the installed
 * `tfc-runtime` package. It is resolved by package name, so the same code
 * finds it in this repository (a workspace link to packages/runtime) and in
 * an application that installed tfc-compiler from npm (where tfc-runtime is
 * its dependency).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The runtime's npm package, which a 'package' bundle's loader imports. */
export const RUNTIME_PACKAGE = 'tfc-runtime';
/** Inside tfc-runtime: the ES module and its declarations (one self-contained file each) that a bundle copies. */
const RUNTIME_JS = 'dist/index.mjs';
const RUNTIME_DTS = 'dist/index.d.ts';

export interface RuntimeCopy {
  /** tfc-runtime's version, named in the generated loader. */
  version: string;
  js: Uint8Array;
  dts: Uint8Array;
}

/** The runtime's files from the installed tfc-runtime; an error naming the missing file when it is not built. */
export function readRuntimeCopy(): RuntimeCopy {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${RUNTIME_PACKAGE}/package.json`);
  } catch (e) {
    throw new Error(`cannot copy the runtime into the bundle: the package ${RUNTIME_PACKAGE} is not installed (reinstall tfc-compiler)`, { cause: e });
  }
  const root = path.dirname(packageJson);
  const read = (file: string): Buffer => {
    try {
      return readFileSync(path.join(root, file));
    } catch (e) {
      throw new Error(`cannot copy the runtime into the bundle: ${path.join(root, file)} is missing (in a clone of tfc, run \`npm run build\`)`, { cause: e });
    }
  };
  const { version } = JSON.parse(read('package.json').toString('utf8')) as { version: string };
  return { version, js: new Uint8Array(read(RUNTIME_JS)), dts: new Uint8Array(read(RUNTIME_DTS)) };
}
