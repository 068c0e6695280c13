/**
 * Dawn for Node is the npm package `webgpu`: about 130 MB of native code,
 * needed only to run WebGPU in Node, so it is an optional peer dependency of
 * tfc-compiler, never installed with it. It is found here without being
 * loaded, so that a missing package is one clear reason naming what to
 * install, not a crash.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Why WebGPU in Node is unavailable when the package is not installed. */
export const DAWN_MISSING = "the optional package 'webgpu' (Dawn, WebGPU for Node) is not installed: run `npm install webgpu`";

/** Dawn's entry point as a file URL, or why there is none. */
export type DawnPackage = { url: string } | { reason: string };

export function findDawnPackage(): DawnPackage {
  try {
    return { url: pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href };
  } catch (e) {
    const message = (e as Error).message;
    // The package itself absent is "not installed"; anything else (a damaged install) is reported as it is.
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && message.includes("'webgpu'")) return { reason: DAWN_MISSING };
    return { reason: `the 'webgpu' package (Dawn for Node) does not load here: ${message}` };
  }
}
