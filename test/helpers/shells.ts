/** Real shells for the quoting tests: find them, and run a script in one. */
import { spawnSync } from 'node:child_process';

/** Absolute path of `name` on PATH, or null when it is not installed. */
export function findShell(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p.startsWith('/') ? p : null;
}

/** Run `script` with `shell` (as `shell -c script`, or `-Command` for PowerShell); returns stdout. */
export function runShell(
  shell: string,
  script: string,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const args = /pwsh|powershell/.test(shell)
    ? ['-NoProfile', '-NonInteractive', '-Command', script]
    : ['-c', script];
  // The caller's environment minus start-up files a shell would source (BASH_ENV, ENV).
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete full.BASH_ENV;
  delete full.ENV;
  const r = spawnSync(shell, args, { encoding: 'utf8', env: full });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
