/**
 * npm and npx as a user runs them, from a folder outside the repository.
 * Under `npm test` the environment carries npm's lifecycle variables
 * (`npm_config_local_prefix` = this repository, `npm_package_*`, INIT_CWD):
 * a child npm would take this repository for its project, and `npx tfc`
 * would find the repository's own `tfc`. Those are left out, so the child
 * sees only the folder it runs in; the rest of the npm config (cache,
 * registry) passes through.
 */
import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** npm's variables that tie a child npm to the project that ran the tests. */
const PROJECT_VARIABLES = /^(npm_package_|npm_lifecycle_|npm_config_(local_prefix|workspaces?|include_workspace_root)$|init_cwd$)/i;

/** The environment without the variables that name this repository's project. */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !PROJECT_VARIABLES.test(key)));
}

/** Runs a command in `cwd`; never rejects (a failure is a non-zero code). */
export function runCommand(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command and returns its stdout, or throws with its output when it fails. */
export async function mustRun(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<string> {
  const result = await runCommand(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/** Whether the npm registry answers (`npm ping`); the reason when it does not. */
export async function registryUnreachable(cwd: string): Promise<string | null> {
  const ping = await runCommand('npm', ['ping', '--fetch-retries=0', '--fetch-timeout=15000'], cwd, 30_000);
  if (ping.code === 0) return null;
  const lines = ping.stderr.split('\n').map((l) => l.replace(/^npm error\s*/, '').trim());
  const why = lines.find((l) => /Error: /.test(l)) ?? lines.find((l) => l !== '') ?? `exit code ${ping.code}`;
  return `the npm registry is unreachable (npm ping: ${why})`;
}
