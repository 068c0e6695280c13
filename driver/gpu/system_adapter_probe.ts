/**
 * Whether Dawn finds an adapter on the system's Vulkan drivers, asked in a
 * short child process. Dawn prints a warning on fd 2 for each driver it
 * cannot use (Mesa's lavapipe: "Vulkan shaderUniform*ArrayDynamicIndexing
 * required"); that native output cannot be silenced in-process, so the probe
 * runs where its stderr is captured (shown only when `verbose`). When the
 * answer is no, the caller goes on to SwiftShader alone and never loads the
 * noisy drivers itself.
 */
import { execFile } from 'node:child_process';

const PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter();
process.stdout.write(adapter ? 'adapter' : 'none');
process.exit(0);
`;

export type SystemProbe = { adapter: boolean } | { failed: string };

/** `dawnUrl`: the `webgpu` package's entry point (dawn_package.ts). */
export function probeSystemAdapter(dawnUrl: string, verbose: boolean): Promise<SystemProbe> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', PROBE, dawnUrl], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (verbose) process.stderr.write(stderr);
      if (stdout === 'adapter' || stdout === 'none') resolve({ adapter: stdout === 'adapter' });
      else resolve({ failed: stderr.trim().split('\n').pop() || error?.message || 'the probe printed nothing' });
    });
    child.stdin?.end();
  });
}
