/** Helpers to run the built CLI (package.json "bin": dist/hot.cjs) as users do, with an isolated store. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach } from 'node:test';
import { recordOutput } from './leaks.js';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
/** The file the installed `authctl` command runs (package.json "bin"). */
export const binPath = path.join(
  repoRoot,
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).bin.authctl,
);

/** A fresh config directory for one test; removed by the returned cleanup. */
export function tempConfigDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authctl-test-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Register hooks giving every test of the file a fresh config directory; returns its getter. */
export function configDirPerTest(): () => string {
  let dir = '';
  const cleanups: Array<() => void> = [];
  beforeEach(() => {
    const t = tempConfigDir();
    dir = t.dir;
    cleanups.push(t.cleanup);
  });
  after(() => {
    for (const c of cleanups) c();
  });
  return () => dir;
}

/** Result of one CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for runCli. */
export interface CliOptions {
  /** Config dir (AUTHCTL_CONFIG_DIR). */
  configDir: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Called once the process is spawned (e.g. to send signals). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Environment for a test run: no TTY, CI set, no colour, no browser, no proxy, isolated store. */
export function cliEnv(configDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(AUTHCTL_|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|BROWSER|FORCE_COLOR|NO_COLOR)/.test(k))
      delete env[k];
  }
  // The slow-request notice ("Contacting <host>…" after 1 s) would make exact stderr checks
  // depend on machine load: off unless a test asks for it (test/e2e/ux-*.test.ts).
  Object.assign(
    env,
    { AUTHCTL_CONFIG_DIR: configDir, CI: 'true', BROWSER: 'true', AUTHCTL_NOTICE_AFTER_MS: '3600000' },
    extra,
  );
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** Collect a child's stdout and stderr as text, as they arrive. */
export function collectOutput(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return { stdout: () => stdout, stderr: () => stderr };
}

/** Run `authctl args…` and collect its output. */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: cliEnv(opts.configDir, opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = collectOutput(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const [stdout, stderr] = [out.stdout(), out.stderr()];
      recordOutput('cli', stdout, stderr, args);
      resolve({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    opts.onSpawn?.(child);
  });
}

/** A running `authctl exec` (spawnExec). */
export interface ExecRun {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves with authctl's exit code once it has ended. */
  closed: Promise<number | null>;
  exited(): boolean;
  /** Wait (up to 5 s) until stdout matches `re`; fail the test if it never does. */
  waitFor(re: RegExp): Promise<void>;
}

/**
 * Spawn `authctl exec --profile ci -- node -e <script>` detached: a session without a controlling
 * terminal, so the signals a test sends reach authctl alone (as under a CI runner or a supervisor).
 */
export function spawnExec(configDir: string, script: string): ExecRun {
  const child = spawn(
    process.execPath,
    [binPath, 'exec', '--profile', 'ci', '--', process.execPath, '-e', script],
    { env: cliEnv(configDir), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const { stdout: out, stderr: err } = collectOutput(child);
  let exited = false;
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (c) => {
      exited = true;
      resolve(c);
    }),
  );
  return {
    child,
    out,
    err,
    closed,
    exited: () => exited,
    waitFor: async (re) => {
      for (let i = 0; i < 200 && !re.test(out()); i++) await new Promise((r) => setTimeout(r, 25));
      assert.match(out(), re, `stdout: ${out()}\nstderr: ${err()}`);
    },
  };
}

/** Write a store file directly (for tests of the read path). */
export function writeStore(configDir: string, data: unknown): string {
  const file = path.join(configDir, 'config.json');
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data, null, 2), { mode: 0o600 });
  return file;
}

/** Read and parse the store file. */
export function readStore(configDir: string): {
  version: number;
  profiles: Record<string, Record<string, unknown>>;
} {
  return JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8'));
}

/** A minimal valid profile record for tests. */
export function sampleProfile(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'oauth',
    flow: 'client_credentials',
    token: 'tok-abc.def',
    tokenType: 'Bearer',
    obtainedAt: '2026-01-01T00:00:00Z',
    expiresAt: null,
    subject: 'client-1',
    scopes: [],
    params: {},
    ...over,
  };
}
