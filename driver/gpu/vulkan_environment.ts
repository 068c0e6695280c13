/**
 * The environment the Vulkan loader and its drivers read, set before Dawn
 * loads. Without XDG_RUNTIME_DIR, Mesa's drivers print "error:
 * XDG_RUNTIME_DIR is invalid or not set" from native code (fd 2), which no
 * JS hook can catch; a private, empty folder (removed at exit) satisfies them
 * without connecting to anything.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function isFolder(p: string | undefined): boolean {
  try {
    return p !== undefined && path.isAbsolute(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Gives the process a valid XDG_RUNTIME_DIR when it has none. */
export function prepareVulkanEnvironment(): void {
  if (isFolder(process.env.XDG_RUNTIME_DIR)) return;
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'tfc-xdg-'));
  process.env.XDG_RUNTIME_DIR = runtimeDir;
  process.once('exit', () => rmSync(runtimeDir, { recursive: true, force: true }));
}
